// The Recipes page against the real server and agent (fixture.ts): a recipe
// whose allowed TCP ports take the port of the listener the fixture opens,
// attached to the agent's host, resolves the agent's open-port problem (the
// agent pulls the change within a long-poll and runs HOST-OPEN-PORTS every
// 2 s); the host's effective settings name the recipe as the source; form
// checks next to their field; YAML view, import (the server's error with its
// line) and clone; suppressions created, edited and deleted. The recipe is
// detached and deleted at the end, so the problem reopens for later specs.
import { expect, test, type Page } from "@playwright/test";
import { XSS } from "./fixture";
import { checkPage, failOnDialogs, logIn } from "./helpers";

test.describe.configure({ mode: "serial" });

const port = () => process.env.WARDEN_LISTENER_PORT!;

async function realHost(page: Page): Promise<{ id: string; name: string }> {
  await page.goto("/hosts");
  const link = page.locator("tbody tr").filter({ hasNot: page.getByRole("link", { name: XSS }) }).getByRole("link").first();
  const name = (await link.textContent())!.trim();
  const href = (await link.getAttribute("href"))!;
  return { id: decodeURIComponent(href.split("/").pop()!), name };
}

// The agent's open-port problem for the fixture's listener, by status.
async function expectPortProblem(page: Page, status: "open" | "resolved") {
  const url = `/problems?q=${encodeURIComponent(`open port ${port()}/tcp`)}&status=${status}`;
  await expect(async () => {
    await page.goto(url);
    await expect(page.getByText("1 matching")).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 90_000 });
}

test("allowed ports in a recipe resolve the agent's open-port problem; effective settings name the recipe", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  const host = await realHost(page);
  await expectPortProblem(page, "open");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Recipes" }).click();
  await expect(page.getByRole("heading", { name: "Recipes", level: 1 })).toBeVisible();
  await checkPage(page, "recipes-01-list");
  await page.getByRole("button", { name: "New recipe" }).click();
  await page.getByLabel("Name", { exact: true }).fill("allow-listener");
  await page.getByLabel("Description", { exact: true }).fill("the browser suite's listener");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name: "allow-listener", level: 1 })).toBeVisible();

  // A wrong port is refused next to its field, as the agent would refuse it.
  const tcp = page.getByLabel("Allowed TCP ports");
  await tcp.fill("22, 99999");
  await page.getByRole("button", { name: "Save recipe" }).click();
  await expect(page.locator(".field.invalid").filter({ has: tcp })).toContainText("item 2: expected a port (1-65535)");
  await expect(tcp).toHaveAttribute("aria-invalid", "true");
  await checkPage(page, "recipes-02-field-error");

  await tcp.fill(`22, ${port()}, 8000-8100`);
  await page.getByLabel("CVE severity threshold").selectOption("critical");
  await page.getByRole("button", { name: "Save recipe" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved: revision 2" })).toBeVisible();
  await expect(tcp).toHaveValue(`22, ${port()}, 8000-8100`);
  await expect(page.getByLabel("Recipe YAML")).toContainText("8000-8100");

  // Attach it to the agent's host only.
  await page.getByRole("button", { name: "Add attachment" }).click();
  await page.getByLabel("Named hosts").check();
  await page.getByRole("group", { name: "Hosts" }).getByLabel(host.name, { exact: true }).check();
  await page.getByRole("button", { name: "Attach", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Attached:/ })).toBeVisible();
  await expect(page.getByRole("table", { name: /Attachments/ }).getByRole("link", { name: host.name })).toBeVisible();
  await checkPage(page, "recipes-03-recipe");

  // The agent takes the recipe and its next run no longer sees the port as open.
  await expectPortProblem(page, "resolved");

  // The host's effective settings: allowed_tcp from the recipe.
  await page.goto("/recipes");
  await page.getByRole("link", { name: "Effective settings" }).click();
  await page.getByLabel("Host").selectOption({ label: host.name });
  await expect(page).toHaveURL(/tab=effective&host=/);
  const row = page.getByRole("row").filter({ hasText: "settings.allowed_tcp" });
  await expect(row).toContainText(port());
  await expect(row.locator(".badge")).toHaveText("recipe");
  await expect(row).toContainText("recipe:allow-listener");
  await expect(page.getByRole("row").filter({ hasText: "settings.min_severity" })).toContainText("critical");
  await checkPage(page, "recipes-04-effective");

  // Detach and delete: the agent falls back to its file, the port is open again.
  await page.goto(`/recipes`);
  await page.getByRole("link", { name: "allow-listener" }).click();
  await page.getByRole("button", { name: /Remove the attachment/ }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Removed:/ })).toBeVisible();
  await page.getByRole("button", { name: "Delete…" }).click();
  await page.getByRole("button", { name: "Delete recipe" }).click();
  await expect(page).toHaveURL(/\/recipes$/);
  await expect(page.getByRole("link", { name: "allow-listener" })).toHaveCount(0);
  await expectPortProblem(page, "open");
});

test("YAML import shows the server's error with its line, then creates; clone", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/recipes");
  await page.getByRole("button", { name: "Import YAML" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("textbox", { name: "YAML", exact: true }).fill("name: ci-web\nrules:\n  HOST-VULN:\n    settings: {min_severity: dreadful}\n");
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("alert")).toContainText("recipe.yaml:4:30: rules.HOST-VULN.settings.min_severity: unknown severity");
  await checkPage(page, "recipes-05-import-error");
  await dialog.getByRole("textbox", { name: "YAML", exact: true }).fill("name: ci-web\nrules:\n  HOST-OPEN-PORTS:\n    settings: {allowed_tcp: [22, 443], loopback: report}\n");
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("heading", { name: "ci-web", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Allowed TCP ports")).toHaveValue("22, 443");
  await expect(page.getByLabel("Loopback listeners")).toHaveValue("report");

  await page.getByRole("button", { name: "Clone…" }).click();
  await page.getByLabel("Name of the copy").fill("ci-web-2");
  await page.getByRole("button", { name: "Clone", exact: true }).click();
  await expect(page.getByRole("heading", { name: "ci-web-2", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Allowed TCP ports")).toHaveValue("22, 443");
  await page.goto("/recipes?q=ci-web");
  await expect(page.getByText("2 matching")).toBeVisible();
  // The recipe form in the dark theme.
  await page.getByRole("button", { name: /Switch to dark theme/ }).click();
  await page.getByRole("link", { name: "ci-web-2" }).click();
  await expect(page.getByLabel("Loopback listeners")).toHaveValue("report");
  await checkPage(page, "recipes-05b-recipe-dark");
});

test("suppressions: checked like the server, created, edited, deleted", async ({ page }) => {
  failOnDialogs(page);
  await logIn(page);
  await page.goto("/recipes?tab=suppressions");
  await page.getByRole("button", { name: "New suppression" }).click();
  const form = page.getByRole("form", { name: "New suppression" });
  await form.getByLabel("Kind").selectOption("cve");
  await form.getByLabel("Value").fill("cve-2099-1");
  await form.getByRole("button", { name: "Create suppression" }).click();
  // Each error next to its field, named by the field's aria-describedby.
  await expect(form.getByLabel("Value")).toHaveAttribute("aria-invalid", "true");
  await expect(form.locator(".field").filter({ hasText: "Value" }).getByRole("alert")).toContainText("Expected a CVE id");
  await expect(form.getByLabel("Reason (required)")).toHaveAttribute("aria-describedby", "sup-reason-err");
  await expect(form.locator("#sup-reason-err")).toContainText("reason is required");
  await form.getByLabel("Value").fill("CVE-2099-0001");
  await form.getByLabel("Hosts with a label").check();
  await form.getByLabel("Label", { exact: true }).fill("env=nowhere");
  await form.getByLabel("Reason (required)").fill("not shipped <b>here</b>");
  await checkPage(page, "recipes-06-suppression-form");
  await form.getByRole("button", { name: "Create suppression" }).click();
  await expect(page.getByRole("status").filter({ hasText: "dismissed 0 open problems" })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: "CVE-2099-0001" });
  await expect(row).toContainText("label env=nowhere");
  await expect(row).toContainText("not shipped <b>here</b>");
  await checkPage(page, "recipes-07-suppressions");

  await row.getByRole("button", { name: /Edit suppression/ }).click();
  const edit = page.getByRole("form", { name: /Edit suppression/ });
  await edit.getByLabel("Reason (required)").fill("vendor says not affected");
  await edit.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("row").filter({ hasText: "CVE-2099-0001" })).toContainText("vendor says not affected");

  // The kind filter is kept in the URL.
  await page.getByLabel("Kind").selectOption("port");
  await expect(page).toHaveURL(/kind=port/);
  await expect(page.getByText("No suppression matches these filters.")).toBeVisible();
  await page.getByLabel("Kind").selectOption("");
  await page.getByRole("row").filter({ hasText: "CVE-2099-0001" }).getByRole("button", { name: /Delete suppression/ }).click();
  await page.getByRole("button", { name: "Confirm delete" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted suppression" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "CVE-2099-0001" })).toHaveCount(0);

  // Dark theme and a phone's width.
  await page.getByRole("button", { name: /Switch to dark theme/ }).click();
  await page.goto("/recipes?tab=effective");
  await checkPage(page, "recipes-08-dark");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/recipes");
  await expect(page.getByRole("button", { name: "Import YAML" })).toBeVisible();
  await checkPage(page, "recipes-09-390px");
  await page.getByRole("button", { name: /Switch to light theme/ }).click();
});
