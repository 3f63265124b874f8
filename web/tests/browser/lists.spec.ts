// The shared list component (components/DataList.tsx) on real server data:
// the host page's package list pages by cursor (Next / Previous), sorts by a
// header (aria-sort, kept in the URL under the list's own prefix, so the
// page's other lists are untouched), changes its page size, and its export
// holds the whole filtered list, not the page. Reads only.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { XSS } from "./fixture";
import { checkPage, failOnDialogs, logIn } from "./helpers";

test("host page packages: cursor paging, sort under the list's prefix, page size, export of every page", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/hosts");
  await page.locator("tbody tr").filter({ hasNot: page.getByRole("link", { name: XSS }) }).getByRole("link").click();
  await expect(page).toHaveURL(/\/hosts\/[^/?]+$/);
  const packages = page.getByRole("region", { name: "Packages" });
  const table = packages.getByRole("table");
  // The real agent sends its package inventory when it starts.
  await expect(async () => {
    await page.reload();
    await expect(packages.getByRole("navigation", { name: "Pages" })).toContainText(/^1–25 of/, { timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  const total = Number(/of ([\d,]+)/.exec((await packages.getByRole("navigation", { name: "Pages" }).textContent()) ?? "")![1].replace(/,/g, ""));
  expect(total).toBeGreaterThan(25);
  const first = await table.locator("tbody tr td:first-child").allTextContents();
  expect(first).toHaveLength(25);
  expect(first).toEqual([...first].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

  await packages.getByRole("button", { name: "Next" }).click();
  await expect(packages.getByRole("navigation", { name: "Pages" })).toContainText(/^26–50 of/);
  const second = await table.locator("tbody tr td:first-child").allTextContents();
  expect(second.some((n) => first.includes(n))).toBe(false);
  expect(second[0] >= first[24]).toBe(true);
  await packages.getByRole("button", { name: "Previous" }).click();
  await expect(table.locator("tbody tr td:first-child").first()).toHaveText(first[0]);

  // Sort by name, descending: the list's own URL key, the others untouched.
  await packages.getByRole("button", { name: "Name", exact: true }).click();
  await expect(page).toHaveURL(/[?&]pkg\.sort=-name(&|$)/);
  expect(new URL(page.url()).searchParams.has("sort")).toBe(false);
  await expect(packages.getByRole("columnheader", { name: "Name" })).toHaveAttribute("aria-sort", "descending");
  const desc = await table.locator("tbody tr td:first-child").allTextContents();
  expect(desc).toEqual([...desc].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
  await expect(page.getByRole("region", { name: "Open ports" }).getByRole("columnheader", { name: "Port" })).toHaveAttribute("aria-sort", "ascending");

  await packages.getByLabel("Per page").selectOption("100");
  await expect(page).toHaveURL(/pkg\.limit=100/);
  await expect(packages.getByRole("navigation", { name: "Pages" })).toContainText(/^1–100 of/);
  await checkPage(page, "lists-01-host-packages");

  const [download] = await Promise.all([page.waitForEvent("download"), packages.getByRole("link", { name: "Export CSV" }).click()]);
  const lines = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
  expect(lines.length).toBe(total + 1);
});
