// The problem list's filters, sort and page size as they live in the page's
// URL (so a view can be shared), and the same filters as the API wants them:
// list query, export URL and the bulk actions' `filter`. One source for all
// three, so "export" and "dismiss all matching" act on exactly what the list
// shows. Pure; no fetching.
import type { Schemas } from "../api/client";

export type RiskLevel = Schemas["RiskLevel"];
export type ProblemStatus = Schemas["ProblemStatus"];
export type ProblemSort = NonNullable<
  import("../api/schema").paths["/api/v1/problems"]["get"]["parameters"]["query"]
>["sort"];

export const RISK_LEVELS: RiskLevel[] = ["extreme", "very_high", "high", "medium", "low"];
export const STATUSES: ProblemStatus[] = ["open", "dismissed", "resolved"];
export const SORTABLE = ["risk_level", "title", "hostname", "rule_id", "status", "first_detected_at", "last_detected_at"] as const;
export type SortField = (typeof SORTABLE)[number];
export const PAGE_SIZES = [25, 50, 100, 500] as const;
export const DEFAULT_SORT: NonNullable<ProblemSort> = "-last_detected_at";
export const DEFAULT_PAGE_SIZE = 50;

export interface ProblemFilters {
  q: string;
  status: ProblemStatus[];
  risk: RiskLevel[];
  rule: string[];
  host: string[];
  label: string[];
  sort: NonNullable<ProblemSort>;
  limit: number;
}

export const EMPTY_FILTERS: ProblemFilters = {
  q: "",
  status: [],
  risk: [],
  rule: [],
  host: [],
  label: [],
  sort: DEFAULT_SORT,
  limit: DEFAULT_PAGE_SIZE,
};

function list(params: URLSearchParams, key: string): string[] {
  const out: string[] = [];
  for (const value of params.getAll(key)) {
    for (const part of value.split(",")) {
      const v = part.trim();
      if (v && !out.includes(v)) out.push(v);
    }
  }
  return out;
}

function isSort(value: string): value is NonNullable<ProblemSort> {
  const field = value.startsWith("-") ? value.slice(1) : value;
  return (SORTABLE as readonly string[]).includes(field);
}

// Unknown values are dropped, not passed on: the API would refuse them.
export function filtersFromUrl(params: URLSearchParams): ProblemFilters {
  const sort = params.get("sort") ?? "";
  const limit = Number(params.get("limit"));
  return {
    q: (params.get("q") ?? "").trim(),
    status: list(params, "status").filter((s): s is ProblemStatus => (STATUSES as string[]).includes(s)),
    risk: list(params, "risk").filter((r): r is RiskLevel => (RISK_LEVELS as string[]).includes(r)),
    rule: list(params, "rule"),
    host: list(params, "host"),
    label: list(params, "label"),
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_PAGE_SIZE,
  };
}

// Only what differs from the defaults, in a stable order.
export function filtersToUrl(f: ProblemFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.q) p.set("q", f.q);
  if (f.status.length) p.set("status", f.status.join(","));
  if (f.risk.length) p.set("risk", f.risk.join(","));
  if (f.rule.length) p.set("rule", f.rule.join(","));
  if (f.host.length) p.set("host", f.host.join(","));
  if (f.label.length) p.set("label", f.label.join(","));
  if (f.sort !== DEFAULT_SORT) p.set("sort", f.sort);
  if (f.limit !== DEFAULT_PAGE_SIZE) p.set("limit", String(f.limit));
  return p;
}

export type ProblemFilterBody = Schemas["ProblemFilter"];

// The filters only (no sort, no paging), in the API's names; empty lists left out.
export function apiFilter(f: ProblemFilters): ProblemFilterBody {
  const out: ProblemFilterBody = {};
  if (f.q) out.q = f.q;
  if (f.status.length) out.status = f.status;
  if (f.risk.length) out.risk_level = f.risk;
  if (f.rule.length) out.rule_id = f.rule;
  if (f.host.length) out.host_id = f.host;
  if (f.label.length) out.label = f.label;
  return out;
}

export function hasFilter(f: ProblemFilters): boolean {
  return Object.keys(apiFilter(f)).length > 0;
}

// The list call's query: filters, sort, page size and the page's cursor.
export function listQuery(f: ProblemFilters, cursor?: string) {
  return { ...apiFilter(f), sort: f.sort, limit: f.limit, ...(cursor ? { cursor } : {}) };
}

// The export of exactly the filtered, sorted list (all pages).
export function exportUrl(f: ProblemFilters, format: "csv" | "jsonl", base = "/api/v1/problems/export"): string {
  const p = new URLSearchParams();
  p.set("format", format);
  p.set("sort", f.sort);
  const filter = apiFilter(f);
  for (const [key, value] of Object.entries(filter)) {
    p.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return `${base}?${p.toString()}`;
}

// Clicking a column header: ascending first, then descending; times start
// with the newest, risk with the highest.
export function nextSort(current: string, field: SortField): NonNullable<ProblemSort> {
  const descFirst = field === "risk_level" || field.endsWith("_at");
  if (current === field) return `-${field}` as NonNullable<ProblemSort>;
  if (current === `-${field}`) return field as NonNullable<ProblemSort>;
  return (descFirst ? `-${field}` : field) as NonNullable<ProblemSort>;
}

export function sortState(current: string, field: SortField): "ascending" | "descending" | "none" {
  if (current === field) return "ascending";
  if (current === `-${field}`) return "descending";
  return "none";
}

export const RISK_LABELS: Record<RiskLevel, string> = {
  extreme: "Extreme",
  very_high: "Very high",
  high: "High",
  medium: "Medium",
  low: "Low",
};

// Only http(s) links become clickable: a link from a host or a feed could
// otherwise be javascript: or data:.
export function safeHref(link: string): string | null {
  try {
    const u = new URL(link);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}
