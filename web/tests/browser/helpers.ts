// What every browser spec shares: logging in as the suite's user, failing
// on any dialog (a script run from data), and checkPage — a screenshot of
// the page plus an axe-core scan that must find nothing serious. It holds
// no test of its own.
import { expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PASSWORD } from "./fixture";

export const shots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test-results/screenshots");

export async function checkPage(page: Page, name: string) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`), `axe on ${name}`).toEqual([]);
}

// Any dialog (alert, confirm) is a script run from data: the test fails.
export function failOnDialogs(page: Page) {
  page.on("dialog", async (d) => {
    await d.dismiss();
    throw new Error(`a dialog fired: ${d.message()}`);
  });
}

export async function logIn(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Name").fill("e2e");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}
