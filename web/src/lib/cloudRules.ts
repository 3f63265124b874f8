// One cloud rule's settings (CloudRuleSettings: enabled, risk level, the
// RTM-011 pattern rows, canary users and keys) as form fields and back, the
// row checks the server makes (a row needs a column), and a local try-out of
// the rows against a sample event. The server checks regexes with PCRE2; the
// browser has only its own engine, so a regex the browser refuses is a
// warning here, not a refusal, and the try-out is a preview, not the
// server's verdict (the API has no dry-run). Pure; no fetching.
import type { Schemas } from "../api/client";

export type CloudRuleSettings = Schemas["CloudRuleSettings"];
export type PatternRow = Schemas["CloudPatternRow"];
export const COLUMNS = ["eventName", "eventSource", "userIdentityType"] as const;
export type Column = (typeof COLUMNS)[number];

export interface RowForm {
  eventName: string;
  eventSource: string;
  userIdentityType: string;
}

export interface CloudRuleForm {
  enabled: "" | "true" | "false";
  risk: "" | Schemas["RiskLevel"];
  usePatterns: boolean;
  rows: RowForm[];
  useCanary: boolean;
  canaryUsers: string; // one a line
  canaryKeys: string;
  exceptions: CloudRuleSettings["exceptions"];
}

export function settingsToForm(s: CloudRuleSettings | undefined): CloudRuleForm {
  return {
    enabled: s?.enabled === true ? "true" : s?.enabled === false ? "false" : "",
    risk: s?.risk_level ?? "",
    usePatterns: s?.patterns !== undefined,
    rows: (s?.patterns ?? []).map((r) => ({ eventName: r.eventName ?? "", eventSource: r.eventSource ?? "", userIdentityType: r.userIdentityType ?? "" })),
    useCanary: s?.canary !== undefined,
    canaryUsers: (s?.canary?.users ?? []).join("\n"),
    canaryKeys: (s?.canary?.access_keys ?? []).join("\n"),
    exceptions: s?.exceptions,
  };
}

function lines(text: string): string[] {
  return text
    .split(/\n|,/)
    .map((s) => s.trim())
    .filter(Boolean);
}

// Errors keyed `row:I` (a row) or `canary`; warnings keyed `row:I:column`.
export interface RuleCheck {
  errors: Record<string, string>;
  warnings: Record<string, string>;
}

export function regexWarning(source: string): string | null {
  try {
    new RegExp(source, "u");
    return null;
  } catch (e) {
    return `the browser's regex engine refuses it (${(e as Error).message}); the server checks it with PCRE2 when you save`;
  }
}

export function formToSettings(f: CloudRuleForm): { settings: CloudRuleSettings; check: RuleCheck } {
  const check: RuleCheck = { errors: {}, warnings: {} };
  const s: CloudRuleSettings = {};
  if (f.enabled) s.enabled = f.enabled === "true";
  if (f.risk) s.risk_level = f.risk;
  if (f.usePatterns) {
    s.patterns = f.rows.map((r, i) => {
      const row: PatternRow = {};
      for (const c of COLUMNS) {
        if (r[c] === "") continue;
        if (r[c].length > 4096) check.errors[`row:${i}`] = `${c}: at most 4096 characters`;
        const w = regexWarning(r[c]);
        if (w) check.warnings[`row:${i}:${c}`] = w;
        row[c] = r[c];
      }
      if (Object.keys(row).length === 0) check.errors[`row:${i}`] = "a row with no columns matches every event: give at least one";
      return row;
    });
  }
  if (f.useCanary) {
    const users = lines(f.canaryUsers);
    const keys = lines(f.canaryKeys);
    s.canary = {};
    if (users.length) s.canary.users = users;
    if (keys.length) s.canary.access_keys = keys;
    if (users.some((u) => u.length > 256) || keys.some((k) => k.length > 256)) check.errors.canary = "each user or key at most 256 characters";
  }
  if (f.exceptions !== undefined) s.exceptions = f.exceptions;
  return { settings: s, check };
}

// A sample event's three fields; a field left empty reads as the empty
// string, as the rule does for a missing field.
export type SampleEvent = Record<Column, string>;

// Per row: "matches", "no match" or why it could not be tried. A row
// matches when every column it gives matches (unanchored, as PCRE2 search).
export function tryRows(rows: RowForm[], event: SampleEvent): string[] {
  return rows.map((r) => {
    const given = COLUMNS.filter((c) => r[c] !== "");
    if (given.length === 0) return "no columns";
    for (const c of given) {
      let re: RegExp;
      try {
        re = new RegExp(r[c], "u");
      } catch {
        return `cannot try: ${c} is not a regex the browser knows`;
      }
      if (!re.test(event[c])) return `no match (${c})`;
    }
    return "matches";
  });
}

// The row a server message names: "rules.RTM-011: patterns[2].eventName: ..." → 2.
export function rowFromMessage(message: string): number | null {
  const m = /patterns\[(\d+)\]/.exec(message);
  return m ? Number(m[1]) : null;
}
