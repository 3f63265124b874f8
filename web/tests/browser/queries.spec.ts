// The Queries page in a real browser against the fixture's real server and
// agent: completion of a FROM table's columns and hover docs, the target
// picker's live count, a live query whose rows stream in from the agent, the
// per-host states and a host's SQL error, CSV export checked in the downloaded file,
// saving as a favourite, re-running from the history with its diff, an HTML
// payload in a result cell shown as text, and 100,000 rows in the
// virtualised grid. Queries and saved queries it makes are its own.
import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { XSS } from "./fixture";
import { checkPage, failOnDialogs, logIn } from "./helpers";

test.describe.configure({ mode: "serial" });

const editor = (page: Page) => page.getByRole("textbox", { name: "SQL" });

async function setSql(page: Page, sql: string) {
  await editor(page).click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.type(sql);
  await page.keyboard.press("Escape"); // closes a completion list, if open
}

// The real agent's host (the other one is the XSS host, which never polls).
async function realHost(page: Page): Promise<{ id: string; hostname: string }> {
  const hosts = await (await page.request.get("/api/v1/hosts?limit=10")).json();
  const h = hosts.items.find((x: { hostname: string }) => x.hostname !== XSS);
  expect(h).toBeTruthy();
  return { id: h.id, hostname: h.hostname };
}

async function pickRealHost(page: Page, hostname: string) {
  await page.getByRole("radio", { name: "Labels and hosts" }).check();
  await page.getByLabel("Find hosts").fill(hostname);
  await page.getByRole("button", { name: `Add host ${hostname}` }).click();
  await expect(page.getByRole("button", { name: `Remove host ${hostname}` })).toBeVisible();
  await expect(page.getByTestId("target-count")).toHaveText("1");
}

async function runAndWait(page: Page) {
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page).toHaveURL(/[?&]run=\d+/);
  await expect(page.getByTestId("run-state")).toHaveText(/done|cancelled/, { timeout: 60_000 });
}

test("editor: table and column completion, hover docs", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Queries" }).click();
  await expect(page.getByRole("heading", { name: "Queries", level: 1 })).toBeVisible();
  await expect(editor(page)).toBeVisible();
  await checkPage(page, "queries-01-empty");

  // A table after FROM.
  await editor(page).click();
  await page.keyboard.type("SELECT * FROM proc");
  const list = page.locator(".cm-tooltip-autocomplete");
  await expect(list.getByRole("option", { name: /^processes/ })).toBeVisible();
  await expect(list.getByRole("option", { name: /^process_open_sockets/ })).toBeVisible();
  await list.getByRole("option", { name: /^processes/ }).click();
  await expect(editor(page)).toHaveText("SELECT * FROM processes");

  // A column of the table in FROM, with its type and table.
  await page.keyboard.type(" WHERE cmd");
  const option = list.getByRole("option", { name: /^cmdline/ });
  await expect(option).toBeVisible();
  await expect(option).toContainText("TEXT · processes");
  await checkPage(page, "queries-02-autocomplete");
  await page.keyboard.press("Enter");
  await expect(editor(page)).toHaveText("SELECT * FROM processes WHERE cmdline");
  await page.keyboard.press("Escape");

  // Hovering the table name shows its documentation.
  const coords = await page.evaluate(() => {
    // The editor lives in a shadow root (see SqlEditor.tsx).
    const line = document.querySelector("[data-testid=sql-editor]")!.shadowRoot!.querySelector(".cm-line")!;
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const i = node.textContent!.indexOf("processes");
      if (i < 0) continue;
      const range = document.createRange();
      range.setStart(node, i + 2);
      range.setEnd(node, i + 3);
      const r = range.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }
    return null;
  });
  expect(coords).toBeTruthy();
  await page.mouse.move(coords!.x, coords!.y);
  await expect(page.locator(".sql-doc")).toContainText("All running processes");
  await checkPage(page, "queries-03-hover");
});

test("targets, run, rows streaming in, export CSV, save as favourite", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  const host = await realHost(page);
  await page.goto("/queries");
  // All hosts: both are counted (the server's dry run).
  await page.getByRole("radio", { name: "All hosts" }).check();
  await expect(page.getByTestId("target-count")).toHaveText("2");
  await pickRealHost(page, host.hostname);

  await setSql(page, "SELECT pid, name FROM processes");
  await runAndWait(page);
  // The agent's own process is among the rows.
  await expect(page.getByTestId("row-count")).toHaveText(/^[1-9][\d,]* rows$/);
  await expect(page.getByRole("columnheader", { name: "pid" })).toBeVisible();
  await page.getByLabel("Filter rows").fill("warden");
  await expect(page.locator(".results-table tbody td").filter({ hasText: /^warden$/ }).first()).toBeVisible();
  await expect(page.getByTestId("run-outcome")).toContainText("1/1 done");
  await checkPage(page, "queries-04-results");

  // Sort by pid, descending: the first row has the highest pid.
  await page.getByLabel("Filter rows").fill("");
  await page.getByRole("button", { name: /^pid/ }).click();
  await page.getByRole("button", { name: /^pid/ }).click();
  await expect(page.getByRole("columnheader", { name: /pid/ })).toHaveAttribute("aria-sort", "descending");
  const pids = await page.locator(".results-table tbody tr:not(.spacer) td:nth-child(2)").allTextContents();
  const numbers = pids.map(Number);
  expect(numbers.length).toBeGreaterThan(1);
  expect(numbers).toEqual([...numbers].sort((a, b) => b - a));

  // Hosts tab: the real host, done, with its row count.
  await page.getByRole("tab", { name: /^Hosts/ }).click();
  const hostRow = page.getByRole("row").filter({ hasText: host.hostname });
  await expect(hostRow.locator(".badge")).toHaveText("done");

  // Export CSV: the downloaded file has the header and a row of the agent.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const text = readFileSync((await download.path())!, "utf8");
  const lines = text.trim().split(/\r?\n/);
  expect(lines[0]).toBe("host_id,hostname,pid,name");
  expect(lines.some((l) => l.startsWith(`${host.id},`) && /,\d+,warden$/.test(l))).toBe(true);

  // Save as a favourite; it is listed under "Favourites only".
  await page.getByRole("button", { name: "Save…" }).click();
  const dialog = page.getByRole("dialog", { name: "Save query" });
  await dialog.getByLabel("Name").fill("processes by name");
  await dialog.getByLabel("Description").fill("every process, pid and name");
  await dialog.getByLabel("Favourite").check();
  await checkPage(page, "queries-05-save");
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved as “processes by name” (favourite)." })).toBeVisible();
  await page.getByRole("button", { name: "Saved queries" }).click();
  await page.getByRole("combobox", { name: "Favourites", exact: true }).selectOption("true");
  await expect(page).toHaveURL(/s\.fav=true/);
  const saved = page.getByRole("row").filter({ hasText: "processes by name" });
  await expect(saved).toBeVisible();
  await expect(saved.getByRole("button", { name: "Favourite: processes by name" })).toHaveAttribute("aria-pressed", "true");
  await checkPage(page, "queries-06-saved");
  // Its runs, from the list: the history filtered to it (none yet).
  await saved.getByRole("button", { name: "Runs of processes by name" }).click();
  await expect(page).toHaveURL(/view=history/);
  await expect(page.getByText("No live query matches these filters.")).toBeVisible();
  await page.goBack();
  await expect(saved).toBeVisible();

  // Run it from the list on the chosen targets (kept while on the page).
  await saved.getByRole("button", { name: "Run processes by name on the chosen targets" }).click();
  await expect(page.getByTestId("run-state")).toHaveText("done", { timeout: 60_000 });
  await expect(page.getByTestId("row-count")).toHaveText(/^[1-9][\d,]* rows$/);
});

test("history: open a past query, re-run it, diff with the previous run", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/queries?view=history");
  const row = page.getByRole("row").filter({ hasText: "SELECT pid, name FROM processes" }).last();
  await expect(row).toContainText("e2e");
  await expect(row).toContainText("done: 1/1 done");
  await checkPage(page, "queries-07-history");
  await row.getByRole("button", { name: /^Open live query/ }).click();
  await expect(page.getByTestId("run-state")).toHaveText("done");
  await expect(page.getByTestId("row-count")).toHaveText(/^[1-9][\d,]* rows$/);
  const first = new URL(page.url()).searchParams.get("run");

  await page.goto("/queries?view=history");
  await page
    .getByRole("row")
    .filter({ hasText: "SELECT pid, name FROM processes" })
    .last()
    .getByRole("button", { name: /^Re-run live query/ })
    .click();
  await expect(page).toHaveURL(/[?&]run=\d+/);
  expect(new URL(page.url()).searchParams.get("run")).not.toBe(first);
  await expect(page.getByTestId("run-state")).toHaveText("done", { timeout: 60_000 });
  await page.getByRole("tab", { name: "Diff with previous run" }).click();
  // Processes come and go between two runs; the diff answers either way.
  await expect(page.getByText(/Compared with live query \d+|Same rows as live query \d+/)).toBeVisible();
  await checkPage(page, "queries-08-diff");
});

test("errors, HTML in a result cell, dark theme and a phone's width", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  const host = await realHost(page);
  await page.goto("/queries");
  await pickRealHost(page, host.hostname);
  await setSql(page, "SELECT * FROM no_such_table");
  await runAndWait(page);
  await expect(page.getByText("No host returned a row.")).toBeVisible();
  await page.getByRole("tab", { name: "Errors (1)" }).click();
  const failed = page.getByRole("row").filter({ hasText: host.hostname });
  await expect(failed.locator(".badge")).toHaveText("error");
  await expect(failed).toContainText("no_such_table");
  await checkPage(page, "queries-09-errors");

  await setSql(page, `SELECT '${XSS}' AS x`);
  await runAndWait(page);
  await expect(page.locator(".results-table tbody td").filter({ hasText: XSS })).toBeVisible();
  expect(await page.locator('img[src="x"]').count()).toBe(0);

  await page.getByRole("button", { name: /Switch to dark theme/ }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await checkPage(page, "queries-10-dark");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.locator(".results-table tbody td").filter({ hasText: XSS })).toBeVisible();
  await checkPage(page, "queries-11-390px");
  await page.getByRole("button", { name: /Switch to light theme/ }).click();
});

test("100,000 rows stream into the virtualised grid and scroll", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  const host = await realHost(page);
  await page.goto("/queries");
  await pickRealHost(page, host.hostname);
  await setSql(page, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000) SELECT x, 'row ' || x AS label FROM n");
  await runAndWait(page);
  await expect(page.getByTestId("row-count")).toHaveText("100,000 rows", { timeout: 60_000 });
  // Only the rows in view are in the DOM.
  const rendered = await page.locator(".results-table tbody tr:not(.spacer)").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(200);
  // Scrolling to the end brings the last row in, smoothly enough to measure.
  const start = Date.now();
  await page.locator(".results-scroll").evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.locator(".results-table tbody td").filter({ hasText: /^row 100000$/ })).toBeVisible();
  expect(Date.now() - start).toBeLessThan(5000);
  // Filter and sort over all of them.
  await page.getByLabel("Filter rows").fill("row 9999");
  await expect(page.getByTestId("row-count")).toHaveText("11 of 100,000 rows");
  await checkPage(page, "queries-12-100k");
});
