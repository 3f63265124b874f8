import { describe, expect, it } from "vitest";
import {
  EMPTY_FILTERS,
  apiFilter,
  exportUrl,
  filtersFromUrl,
  filtersToUrl,
  hasFilter,
  listQuery,
  nextSort,
  safeHref,
  sortState,
} from "./problemFilters";

describe("problem filters in the URL", () => {
  it("round-trips every filter, the sort and the page size", () => {
    const f = {
      ...EMPTY_FILTERS,
      q: "openssl",
      status: ["open" as const, "dismissed" as const],
      risk: ["high" as const],
      rule: ["LNX-003"],
      host: ["h1", "h2"],
      label: ["env=prod"],
      sort: "-risk_level" as const,
      limit: 100,
    };
    expect(filtersFromUrl(filtersToUrl(f))).toEqual(f);
  });

  it("leaves defaults out of the URL", () => {
    expect(filtersToUrl(EMPTY_FILTERS).toString()).toBe("");
  });

  it("drops unknown statuses, risks, sorts and page sizes instead of sending them", () => {
    const f = filtersFromUrl(new URLSearchParams("status=open,bogus&risk=nuclear&sort=-password&limit=7"));
    expect(f.status).toEqual(["open"]);
    expect(f.risk).toEqual([]);
    expect(f.sort).toBe(EMPTY_FILTERS.sort);
    expect(f.limit).toBe(EMPTY_FILTERS.limit);
  });

  it("accepts repeated keys and comma lists, without duplicates", () => {
    const f = filtersFromUrl(new URLSearchParams("host=a,b&host=b&host=c"));
    expect(f.host).toEqual(["a", "b", "c"]);
  });
});

describe("the same filter for list, export and bulk actions", () => {
  const f = { ...EMPTY_FILTERS, q: "x y", status: ["open" as const], risk: ["low" as const, "high" as const], host: ["h1"] };

  it("names the API's parameters", () => {
    expect(apiFilter(f)).toEqual({ q: "x y", status: ["open"], risk_level: ["low", "high"], host_id: ["h1"] });
    expect(listQuery(f, "c1")).toMatchObject({ risk_level: ["low", "high"], cursor: "c1", limit: 50 });
  });

  it("exports exactly the filtered, sorted list", () => {
    const url = new URL(exportUrl(f, "csv"), "https://x");
    expect(url.pathname).toBe("/api/v1/problems/export");
    expect(url.searchParams.get("format")).toBe("csv");
    expect(url.searchParams.get("risk_level")).toBe("low,high");
    expect(url.searchParams.get("q")).toBe("x y");
    expect(url.searchParams.get("sort")).toBe("-last_detected_at");
    expect(url.searchParams.has("limit")).toBe(false);
    expect(url.searchParams.has("cursor")).toBe(false);
  });

  it("knows an empty filter (a bulk action then needs a selection)", () => {
    expect(hasFilter(EMPTY_FILTERS)).toBe(false);
    expect(hasFilter(f)).toBe(true);
  });
});

describe("sorting by column", () => {
  it("starts times and risk descending, names ascending, then flips", () => {
    expect(nextSort("-last_detected_at", "risk_level")).toBe("-risk_level");
    expect(nextSort("-risk_level", "risk_level")).toBe("risk_level");
    expect(nextSort("-last_detected_at", "title")).toBe("title");
    expect(nextSort("title", "title")).toBe("-title");
    expect(nextSort("title", "first_detected_at")).toBe("-first_detected_at");
    expect(sortState("-title", "title")).toBe("descending");
    expect(sortState("-title", "hostname")).toBe("none");
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
