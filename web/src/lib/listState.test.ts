import { describe, expect, it } from "vitest";
import {
  apiFilters,
  columnPrefsKey,
  emptyState,
  exportUrl,
  hasFilter,
  listQuery,
  loadColumnPrefs,
  moveColumn,
  nextSort,
  orderedColumns,
  prefsFrom,
  saveColumnPrefs,
  sortState,
  stateFromUrl,
  stateToUrl,
  toggleColumn,
  type ListState,
} from "./listState";
import { PROBLEM_LIST, problemFilterBody, safeHref } from "./problemFilters";

const EMPTY = emptyState(PROBLEM_LIST);
const spec = PROBLEM_LIST;

describe("list state in the URL", () => {
  it("round-trips every filter, the sort and the page size", () => {
    const s: ListState = {
      filters: { ...EMPTY.filters, q: "openssl", status: ["open", "dismissed"], risk: ["high"], rule: ["LNX-003"], host: ["h1", "h2"], label: ["env=prod"] },
      sort: "-risk_level",
      limit: 100,
    };
    expect(stateFromUrl(spec, stateToUrl(spec, s))).toEqual(s);
  });

  it("leaves defaults out of the URL", () => {
    expect(stateToUrl(spec, EMPTY).toString()).toBe("");
  });

  it("keeps the URL's other keys and another list's prefixed keys", () => {
    const base = new URLSearchParams("problem=p1&ports.sort=-port&risk=low");
    const p = stateToUrl(spec, { ...EMPTY, filters: { ...EMPTY.filters, status: ["open"] } }, "", base);
    expect(p.get("problem")).toBe("p1");
    expect(p.get("ports.sort")).toBe("-port");
    expect(p.get("status")).toBe("open");
    expect(p.has("risk")).toBe(false);
  });

  it("reads a prefixed list apart from the page's own", () => {
    const p = new URLSearchParams("q=page&v.q=pkg&v.sort=-risk_level");
    expect(stateFromUrl(spec, p, "v.").filters.q).toBe("pkg");
    expect(stateFromUrl(spec, p, "v.").sort).toBe("-risk_level");
    expect(stateFromUrl(spec, p).filters.q).toBe("page");
  });

  it("drops unknown statuses, risks, sorts and page sizes instead of sending them", () => {
    const s = stateFromUrl(spec, new URLSearchParams("status=open,bogus&risk=nuclear&min_risk=huge&sort=-password&limit=7"));
    expect(s.filters.status).toEqual(["open"]);
    expect(s.filters.risk).toEqual([]);
    expect(s.filters.min_risk).toBe("");
    expect(s.sort).toBe(EMPTY.sort);
    expect(s.limit).toBe(EMPTY.limit);
  });

  it("accepts repeated keys and comma lists, without duplicates", () => {
    expect(stateFromUrl(spec, new URLSearchParams("host=a,b&host=b&host=c")).filters.host).toEqual(["a", "b", "c"]);
  });

  it("reads booleans and numbers, nothing else", () => {
    const s = { filters: [{ key: "fix", api: "fix_available", type: "bool" as const }, { key: "cvss", api: "min_cvss", type: "number" as const }], sorts: ["cve"], defaultSort: "cve" };
    const ok = stateFromUrl(s, new URLSearchParams("fix=true&cvss=7.5"));
    expect(apiFilters(s, ok)).toEqual({ fix_available: true, min_cvss: 7.5 });
    const bad = stateFromUrl(s, new URLSearchParams("fix=yes&cvss=lots"));
    expect(apiFilters(s, bad)).toEqual({});
  });
});

describe("the same filter for list, export and bulk actions", () => {
  const s: ListState = { ...EMPTY, filters: { ...EMPTY.filters, q: "x y", status: ["open"], risk: ["low", "high"], host: ["h1"] } };

  it("names the API's parameters", () => {
    expect(problemFilterBody(s)).toEqual({ q: "x y", status: ["open"], risk_level: ["low", "high"], host_id: ["h1"] });
    expect(listQuery(spec, s, "c1")).toMatchObject({ risk_level: ["low", "high"], cursor: "c1", limit: 50 });
  });

  it("exports exactly the filtered, sorted list", () => {
    const url = new URL(exportUrl("/api/v1/problems/export", spec, s, "csv"), "https://x");
    expect(url.pathname).toBe("/api/v1/problems/export");
    expect(url.searchParams.get("format")).toBe("csv");
    expect(url.searchParams.get("risk_level")).toBe("low,high");
    expect(url.searchParams.get("q")).toBe("x y");
    expect(url.searchParams.get("sort")).toBe("-last_detected_at");
    expect(url.searchParams.has("limit")).toBe(false);
    expect(url.searchParams.has("cursor")).toBe(false);
  });

  it("knows an empty filter (a bulk action then needs a selection)", () => {
    expect(hasFilter(spec, EMPTY)).toBe(false);
    expect(hasFilter(spec, s)).toBe(true);
  });
});

describe("sorting by column", () => {
  it("starts times and risk descending, names ascending, then flips", () => {
    expect(nextSort(spec, "-last_detected_at", "risk_level")).toBe("-risk_level");
    expect(nextSort(spec, "-risk_level", "risk_level")).toBe("risk_level");
    expect(nextSort(spec, "-last_detected_at", "title")).toBe("title");
    expect(nextSort(spec, "title", "title")).toBe("-title");
    expect(nextSort(spec, "title", "first_detected_at")).toBe("-first_detected_at");
    expect(sortState("-title", "title")).toBe("descending");
    expect(sortState("-title", "hostname")).toBe("none");
  });
});

describe("column choice per user and list", () => {
  const columns = [{ id: "risk" }, { id: "title", required: true }, { id: "host" }, { id: "rule", shown: false }];
  const memory = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
  };

  it("keys by user and list", () => {
    expect(columnPrefsKey("u1", "problems")).toBe("warden.columns.u1.problems");
    expect(columnPrefsKey("u2", "problems")).not.toBe(columnPrefsKey("u1", "problems"));
  });

  it("starts with the default order, hidden-by-default columns off", () => {
    expect(orderedColumns(columns, null)).toEqual([
      { id: "risk", visible: true },
      { id: "title", visible: true },
      { id: "host", visible: true },
      { id: "rule", visible: false },
    ]);
  });

  it("saves and restores order and visibility", () => {
    const store = memory();
    let cols = orderedColumns(columns, null);
    cols = moveColumn(cols, "host", -1);
    cols = toggleColumn(cols, "risk");
    cols = toggleColumn(cols, "rule");
    saveColumnPrefs(store, "k", prefsFrom(cols));
    const back = orderedColumns(columns, loadColumnPrefs(store, "k"));
    expect(back).toEqual([
      { id: "risk", visible: false },
      { id: "host", visible: true },
      { id: "title", visible: true },
      { id: "rule", visible: true },
    ]);
    saveColumnPrefs(store, "k", null);
    expect(store.m.has("k")).toBe(false);
  });

  it("never hides a required column, ignores moves past the ends", () => {
    const cols = orderedColumns(columns, null);
    expect(toggleColumn(cols, "title", ["title"])).toEqual(cols);
    expect(moveColumn(cols, "risk", -1)).toEqual(cols);
    expect(orderedColumns(columns, { order: ["title"], hidden: ["title"] }).find((c) => c.id === "title")?.visible).toBe(true);
  });

  it("drops columns the list no longer has and places new ones", () => {
    const cols = orderedColumns(columns, { order: ["gone", "host", "risk"], hidden: ["risk"] });
    expect(cols.map((c) => c.id)).toEqual(["host", "rule", "risk", "title"]);
    expect(cols.map((c) => c.visible)).toEqual([true, false, false, true]);
  });

  it("survives garbage in storage", () => {
    const store = memory();
    store.setItem("k", "{not json");
    expect(loadColumnPrefs(store, "k")).toBeNull();
    store.setItem("k", JSON.stringify({ order: [1, "risk"], hidden: "x" }));
    expect(loadColumnPrefs(store, "k")).toEqual({ order: ["risk"], hidden: [] });
  });
});

describe("links from findings", () => {
  it("only http and https become links", () => {
    expect(safeHref("https://nvd.nist.gov/vuln/detail/CVE-2024-1")).toBe("https://nvd.nist.gov/vuln/detail/CVE-2024-1");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,<script>")).toBeNull();
    expect(safeHref("not a url")).toBeNull();
  });
});
