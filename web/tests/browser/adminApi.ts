// API calls the Settings and Channels specs make around the console: as the
// logged-in page's session (cookie + CSRF token), to set up data the test is
// not about (a viewer user) or to check what the console did. No tests here.
import { expect, type Page } from "@playwright/test";

export async function csrf(page: Page): Promise<string> {
  const r = await page.request.get("/api/v1/session");
  expect(r.status()).toBe(200);
  return (await r.json()).csrf_token as string;
}

// A user with a known password (no forced change), made by the admin page's session.
export async function createUser(page: Page, name: string, role: "admin" | "analyst" | "viewer", password: string) {
  const r = await page.request.post("/api/v1/users", {
    // The same origin as the console, as a browser would send it.
    headers: { "X-CSRF-Token": await csrf(page), "Content-Type": "application/json", Origin: process.env.WARDEN_CONSOLE_URL! },
    data: { name, role, password },
  });
  expect(r.status(), await r.text()).toBe(201);
  return (await r.json()).user as { id: string; name: string };
}

export async function logInAs(page: Page, name: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}
