// A live query's stream applied event by event, and the grid's filter/sort.
import { describe, expect, it } from "vitest";
import { HOST_COLUMN, RunStore, cellText, describeTargets, exportUrl, targetsOf, viewRows, type LiveQuery } from "./liveRun";

const query = (over: Partial<LiveQuery> = {}): LiveQuery => ({
  id: "7", created_at: "2026-12-07T10:00:00Z", created_by: { type: "user", id: "1", name: "e2e" }, sql: "SELECT 1",
  targets: { host_ids: [], labels: [], all: true }, os_ids: [], rerun_of: null, saved_query_id: null, state: "running",
  deadline_at: "2026-12-07T10:02:00Z", offline_deadline: null,
  counts: { targeted: 2, pending: 1, running: 1, done: 0, error: 0, offline: 0, cancelled: 0 },
  stored_rows: 0, stored_bytes: 0, max_rows: 10, max_bytes: 100, truncated_at: null, columns: [], finished_at: null, results_pruned_at: null,
  ...over,
});
const host = (id: string, hostname: string, state: "pending" | "done" | "error", error: string | null = null) => ({
  host_id: id, hostname, state, returned_rows: 0, stored_rows: 0, duration_ms: null, error, started_at: null, finished_at: null,
});

describe("RunStore", () => {
  it("applies host, rows, truncated, progress and end events", () => {
    const s = new RunStore();
    s.apply("host", host("1", "web", "pending"));
    s.apply("host", host("2", "db", "pending"));
    s.apply("rows", { host_id: "1", rows: [{ pid: 1, name: "init" }, { pid: 20, name: "sshd", extra: null }] });
    expect(s.columns).toEqual(["pid", "name", "extra"]);
    expect(s.rows).toHaveLength(2);
    s.apply("host", host("2", "db", "error", "no such table: nope"));
    expect(s.errors().map((h) => h.hostname)).toEqual(["db"]);
    s.apply("truncated", { truncated_at: 2 });
    expect(s.truncatedAt).toBe(2);
    expect(s.ended).toBe(false);
    s.apply("end", query({ state: "done", columns: ["pid", "name", "extra"] }));
    expect(s.ended).toBe(true);
    expect(s.apply("nonsense", {})).toBe(false);
    expect(s.version).toBe(6);
    expect(s.hostList().map((h) => h.hostname)).toEqual(["db", "web"]);
  });
});

describe("viewRows", () => {
  const rows = [
    { host_id: "1", row: { pid: 10, name: "b" } },
    { host_id: "2", row: { pid: 9, name: "a" } },
    { host_id: "1", row: { pid: "100", name: null } },
  ];
  const names: Record<string, string> = { "1": "web", "2": "db" };
  const hostname = (id: string) => names[id];
  it("filters on any cell and the host name", () => {
    expect(viewRows(rows, hostname, { filter: "", sort: null })).toEqual([0, 1, 2]);
    expect(viewRows(rows, hostname, { filter: "DB", sort: null })).toEqual([1]);
    expect(viewRows(rows, hostname, { filter: "null", sort: null })).toEqual([2]);
  });
  it("sorts numbers as numbers, NULL first, and by host", () => {
    expect(viewRows(rows, hostname, { filter: "", sort: { column: "pid", descending: false } })).toEqual([1, 0, 2]);
    expect(viewRows(rows, hostname, { filter: "", sort: { column: "name", descending: false } })).toEqual([2, 1, 0]);
    expect(viewRows(rows, hostname, { filter: "", sort: { column: HOST_COLUMN, descending: true } })).toEqual([0, 2, 1]);
  });
});

describe("helpers", () => {
  it("renders cells and targets as text", () => {
    expect(cellText(null)).toBe("NULL");
    expect(cellText(3)).toBe("3");
    expect(cellText("<img src=x>")).toBe("<img src=x>");
    expect(targetsOf({ all: false, labels: [], hostIds: [] })).toBeNull();
    expect(targetsOf({ all: true, labels: ["x"], hostIds: [] })).toEqual({ all: true });
    expect(targetsOf({ all: false, labels: ["env=prod"], hostIds: ["4"] })).toEqual({ labels: ["env=prod"], host_ids: ["4"] });
    expect(describeTargets({ all: false, labels: ["a"], host_ids: ["1", "2"] }, (id) => `h${id}`)).toBe("label a + 2 hosts (h1, h2)");
    expect(exportUrl("a/b", "csv")).toBe("/api/v1/queries/a%2Fb/results/export?format=csv");
  });
});
