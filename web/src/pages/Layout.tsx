// The frame of every page after login: navigation, who is logged in, theme
// switch and logout; the page itself goes in <Outlet>.
import { useState } from "react";
import { NavLink, Outlet, useNavigate } from "react-router-dom";
import { useSession } from "../session";
import { applyTheme, initialTheme, type Theme } from "../theme";

const NAV: [string, string][] = [
  ["/overview", "Overview"],
  ["/problems", "Problems"],
  ["/hosts", "Hosts"],
  ["/vulnerabilities", "Vulnerabilities"],
  ["/queries", "Queries"],
  ["/recipes", "Recipes"],
  ["/cloud", "Cloud"],
  ["/channels", "Channels"],
  ["/settings", "Settings"],
];

export function Layout() {
  const { session, logout } = useSession();
  const navigate = useNavigate();
  const [theme, setTheme] = useState<Theme>(initialTheme());
  const toggle = () => {
    const next = theme === "dark" ? "light" : "dark";
    applyTheme(next);
    setTheme(next);
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Warden</span>
        <nav aria-label="Main" className="mainnav">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to}>{label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <button type="button" onClick={toggle} aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}>
            {theme === "dark" ? "Light" : "Dark"} theme
          </button>
          <span className="user">
            {session?.user.name} <span className="muted">({session?.user.role})</span>
          </span>
          <button
            type="button"
            onClick={async () => {
              await logout();
              navigate("/login", { replace: true });
            }}
          >
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
