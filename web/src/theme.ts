// Light or dark: the viewer's choice, kept in localStorage, else the
// system's. Applied as data-theme on <html>; styles.css has both palettes.
export type Theme = "light" | "dark";
const KEY = "warden.theme";

export function initialTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === "light" || saved === "dark") return saved;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(KEY, theme);
}
