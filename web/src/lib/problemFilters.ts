// The problem list as a ListSpec (src/lib/listState.ts): its filters in the
// page's URL (risk, status, host, rule, label, q) with their API names, its
// sort fields; and the same filters as the bulk actions' `filter` body, so
// "export" and "dismiss all matching" act on exactly what the list shows.
// Also the risk names and the http(s)-only link check the problem pages
// share. Pure; no fetching, no URL handling of its own.
import type { Schemas } from "../api/client";
import { apiFilters, type ListSpec, type ListState } from "./listState";

export type RiskLevel = Schemas["RiskLevel"];
export type ProblemStatus = Schemas["ProblemStatus"];

export const RISK_LEVELS: RiskLevel[] = ["extreme", "very_high", "high", "medium", "low"];
export const STATUSES: ProblemStatus[] = ["open", "dismissed", "resolved"];

export const PROBLEM_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "status", api: "status", type: "list", values: STATUSES },
    { key: "risk", api: "risk_level", type: "list", values: RISK_LEVELS },
    { key: "min_risk", api: "min_risk_level", type: "one", values: RISK_LEVELS },
    { key: "rule", api: "rule_id", type: "list" },
    { key: "host", api: "host_id", type: "list" },
    { key: "label", api: "label", type: "list" },
    { key: "subject", api: "subject", type: "list", values: ["host", "cloud"] },
    { key: "after", api: "last_detected_after", type: "text" },
    { key: "before", api: "last_detected_before", type: "text" },
  ],
  sorts: ["risk_level", "title", "hostname", "rule_id", "status", "first_detected_at", "last_detected_at"],
  descFirst: ["risk_level", "first_detected_at", "last_detected_at"],
  defaultSort: "-last_detected_at",
};

// A host's problems: the same list without the host filter.
export const HOST_PROBLEM_LIST: ListSpec = {
  ...PROBLEM_LIST,
  filters: PROBLEM_LIST.filters.filter((f) => !["host", "label", "subject"].includes(f.key)),
  sorts: PROBLEM_LIST.sorts.filter((s) => s !== "hostname"),
  defaultSort: "-risk_level",
  defaultPageSize: 25,
};

export type ProblemFilterBody = Schemas["ProblemFilter"];

// Filters the list has but the bulk actions' `filter` does not take: with
// one set, "all matching" is not offered (it would act on more).
export const NOT_BULK_FILTERS = ["subject"];

export function bulkFilterable(state: ListState): boolean {
  return NOT_BULK_FILTERS.every((k) => !state.filters[k]?.length);
}

// The bulk actions' filter: the list's filters in the API's names.
export function problemFilterBody(state: ListState): ProblemFilterBody {
  return apiFilters({ ...PROBLEM_LIST, filters: PROBLEM_LIST.filters.filter((f) => !NOT_BULK_FILTERS.includes(f.key)) }, state) as ProblemFilterBody;
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
