// A recipe's rules (the agent's `recipe.rules` shape) as form fields and
// back, with the same checks the agent's readers make (ports and ranges,
// durations, daily times, enums), so most mistakes are shown next to their
// field before the server is asked. Field keys are the JSON pointers the
// server names in its 422 `field` (`/rules/HOST-VULN/settings/min_severity`),
// so the server's errors land next to the same fields. Pure; no fetching.
// It does not know every detector: rules and settings keys it has no field
// for are kept as they were and written back unchanged.
import type { Schemas } from "../api/client";

export type RecipeRules = Schemas["RecipeRules"];
export type RecipeRule = Schemas["RecipeRule"];
export type RiskLevel = Schemas["RiskLevel"];

export const RISK_LEVELS: RiskLevel[] = ["low", "medium", "high", "very_high", "extreme"];
export const SEVERITIES = ["none", "low", "medium", "high", "critical"] as const;

// The detectors the form knows, with their settings (docs/agent.md, "Detector recipe").
export const KNOWN_RULES = ["HOST-OPEN-PORTS", "HOST-VULN", "HOST-RUNTIME"] as const;
export type KnownRule = (typeof KNOWN_RULES)[number];
export const RULE_TITLES: Record<KnownRule, string> = {
  "HOST-OPEN-PORTS": "Processes listening on open ports",
  "HOST-VULN": "Scanned host has vulnerabilities",
  "HOST-RUNTIME": "Kernel-level runtime detection",
};
export const RULE_DEFAULTS: Record<KnownRule, string> = {
  "HOST-OPEN-PORTS": "on, medium, every 5m; allowed tcp 22, udp 68 and 546; loopback ignored",
  "HOST-VULN": "on, high, every 6h; min severity high, fixed only",
  "HOST-RUNTIME": "off; continuous when enabled",
};

type Tri = "" | "true" | "false";

export interface ScheduleForm {
  mode: "" | "interval" | "daily";
  interval: string;
  daily: string; // "03:00, 15:30"
  splay: string;
  timezone: "" | "utc" | "local";
  runAtStart: Tri;
}

// One rule's fields. A blank field is "not set by this recipe".
export interface RuleForm {
  enabled: Tri;
  risk: "" | RiskLevel;
  schedule: ScheduleForm;
  // HOST-OPEN-PORTS
  allowedTcp: string; // "22, 443, 8000-8100"; "none" = an empty list
  allowedUdp: string;
  loopback: "" | "ignore" | "report";
  // HOST-VULN
  minSeverity: "" | (typeof SEVERITIES)[number];
  includeUnfixed: Tri;
  feedDatabase: string;
  // HOST-RUNTIME
  runtimeRules: string; // one path a line
  forwardEvents: Tri;
  syscallEvents: "" | "hooks" | "dispatcher" | "off";
  tier: "" | "auto" | "ebpf" | "fallback";
  sensitivePaths: string; // one path a line
  // Settings keys the form has no field for, kept as they were.
  otherSettings: Record<string, unknown>;
}

export interface RecipeForm {
  rules: Record<KnownRule, RuleForm>;
  // Rules of detectors the form does not know, kept as they were.
  otherRules: RecipeRules;
}

export type FieldErrors = Record<string, string>;

export function ptr(rule: string, ...path: string[]): string {
  const esc = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
  return ["", "rules", esc(rule), ...path.map(esc)].join("/");
}

function tri(v: unknown): Tri {
  return v === true ? "true" : v === false ? "false" : "";
}

function lines(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join("\n");
  return typeof v === "string" ? v : "";
}

export function formatPortList(v: unknown): string {
  if (v === undefined || v === null) return "";
  const items = Array.isArray(v) ? v : [v];
  if (items.length === 0) return "none";
  return items.map(String).join(", ");
}

// A port or range as the agent reads it: 1..65535, "a-b" with a <= b.
export function parsePortRange(text: string): [number, number] | null {
  const t = text.trim();
  const m = /^(\d+)\s*(?:-\s*(\d+))?$/.exec(t);
  if (!m) return null;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1 || b > 65535 || a > b) return null;
  return [a, b];
}

// "22, 443, 8000-8100" → [22, 443, "8000-8100"]; "none" → []; "" → undefined
// (not set). The error names the first item that is not a port or range.
export function parsePortList(text: string): { value?: (number | string)[]; error?: string } {
  const t = text.trim();
  if (!t) return {};
  if (t.toLowerCase() === "none") return { value: [] };
  const out: (number | string)[] = [];
  const parts = t.split(/[\s,]+/).filter(Boolean);
  for (const [i, part] of parts.entries()) {
    const r = parsePortRange(part);
    if (!r) return { error: `item ${i + 1}: expected a port (1-65535) or a range like "8000-8100", got '${part}'` };
    out.push(r[0] === r[1] && !part.includes("-") ? r[0] : `${r[0]}-${r[1]}`);
  }
  return { value: out };
}

// Whether a port (or any port of a range) is in a list's ranges.
export function portAllowed(list: (number | string)[], port: number): boolean {
  return list.some((item) => {
    const r = parsePortRange(String(item));
    return !!r && r[0] <= port && port <= r[1];
  });
}

// The agent's durations: whole seconds, "300", "300s", "5m", "1h", "1d" (at least 1 s).
export function durationSeconds(text: string): number | null {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  const unit = m[2] ?? "s";
  if (unit === "ms") return v % 1000 === 0 && v >= 1000 ? v / 1000 : null;
  const s = v * { s: 1, m: 60, h: 3600, d: 86400 }[unit as "s" | "m" | "h" | "d"];
  return s >= 1 ? s : null;
}

export function parseDaily(text: string): { value?: string[]; error?: string } {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return { error: "expected at least one time like 03:00" };
  for (const p of parts) {
    const m = /^(\d{1,2}):(\d{1,2})$/.exec(p);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return { error: `expected a time HH:MM from 00:00 to 23:59, got '${p}'` };
  }
  return { value: parts };
}

function scheduleToForm(s: unknown): ScheduleForm {
  const f: ScheduleForm = { mode: "", interval: "", daily: "", splay: "", timezone: "", runAtStart: "" };
  if (s === undefined || s === null) return f;
  if (typeof s === "string" || typeof s === "number") return { ...f, mode: "interval", interval: String(s) };
  if (typeof s === "object") {
    const o = s as Record<string, unknown>;
    if (o.daily !== undefined) {
      f.mode = "daily";
      f.daily = Array.isArray(o.daily) ? o.daily.join(", ") : String(o.daily);
    } else {
      f.mode = "interval";
      f.interval = o.interval === undefined ? "" : String(o.interval);
    }
    f.splay = o.splay_percent === undefined ? "" : String(o.splay_percent);
    f.timezone = o.timezone === "utc" || o.timezone === "UTC" ? "utc" : o.timezone === "local" ? "local" : "";
    f.runAtStart = tri(o.run_at_start);
  }
  return f;
}

const FORM_SETTINGS: Record<KnownRule, string[]> = {
  "HOST-OPEN-PORTS": ["allowed_tcp", "allowed_udp", "loopback"],
  "HOST-VULN": ["min_severity", "include_unfixed", "feed_database"],
  "HOST-RUNTIME": ["rules", "forward_events", "syscall_events", "tier", "sensitive_paths"],
};

export function emptyRuleForm(): RuleForm {
  return {
    enabled: "",
    risk: "",
    schedule: scheduleToForm(undefined),
    allowedTcp: "",
    allowedUdp: "",
    loopback: "",
    minSeverity: "",
    includeUnfixed: "",
    feedDatabase: "",
    runtimeRules: "",
    forwardEvents: "",
    syscallEvents: "",
    tier: "",
    sensitivePaths: "",
    otherSettings: {},
  };
}

function isKnown(id: string): id is KnownRule {
  return (KNOWN_RULES as readonly string[]).includes(id);
}

export function rulesToForm(rules: RecipeRules | undefined): RecipeForm {
  const form: RecipeForm = {
    rules: { "HOST-OPEN-PORTS": emptyRuleForm(), "HOST-VULN": emptyRuleForm(), "HOST-RUNTIME": emptyRuleForm() },
    otherRules: {},
  };
  for (const [id, rule] of Object.entries(rules ?? {})) {
    if (!isKnown(id)) {
      form.otherRules[id] = rule;
      continue;
    }
    const s = (rule.settings ?? {}) as Record<string, unknown>;
    const f = form.rules[id];
    f.enabled = tri(rule.enabled);
    f.risk = rule.risk_level ?? "";
    f.schedule = scheduleToForm(rule.schedule);
    if (id === "HOST-OPEN-PORTS") {
      f.allowedTcp = formatPortList(s.allowed_tcp);
      f.allowedUdp = formatPortList(s.allowed_udp);
      f.loopback = s.loopback === "ignore" || s.loopback === "report" ? s.loopback : "";
    } else if (id === "HOST-VULN") {
      f.minSeverity = (SEVERITIES as readonly string[]).includes(String(s.min_severity)) ? (s.min_severity as RuleForm["minSeverity"]) : "";
      f.includeUnfixed = tri(s.include_unfixed);
      f.feedDatabase = typeof s.feed_database === "string" ? s.feed_database : "";
    } else {
      f.runtimeRules = lines(s.rules);
      f.forwardEvents = tri(s.forward_events);
      f.syscallEvents = ["hooks", "dispatcher", "off"].includes(String(s.syscall_events)) ? (s.syscall_events as RuleForm["syscallEvents"]) : "";
      f.tier = ["auto", "ebpf", "fallback"].includes(String(s.tier)) ? (s.tier as RuleForm["tier"]) : "";
      f.sensitivePaths = lines(s.sensitive_paths);
    }
    for (const [k, v] of Object.entries(s)) if (!FORM_SETTINGS[id].includes(k)) f.otherSettings[k] = v;
  }
  return form;
}

function splitLines(text: string): string[] {
  return text
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}

function triValue(t: Tri): boolean | undefined {
  return t === "" ? undefined : t === "true";
}

function scheduleFromForm(f: ScheduleForm, base: string, errors: FieldErrors): RecipeRule["schedule"] | undefined {
  if (f.mode === "") return undefined;
  const out: Record<string, unknown> = {};
  if (f.mode === "interval") {
    if (durationSeconds(f.interval) === null)
      errors[`${base}/interval`] = "expected a positive duration in whole seconds like 300s, 5m or 1h";
    out.interval = f.interval.trim();
  } else {
    const d = parseDaily(f.daily);
    if (d.error) errors[`${base}/daily`] = d.error;
    out.daily = d.value ?? [];
  }
  if (f.splay.trim()) {
    const n = Number(f.splay);
    if (!/^\d+$/.test(f.splay.trim()) || n > 100) errors[`${base}/splay_percent`] = "expected a whole number from 0 to 100";
    out.splay_percent = n;
  }
  if (f.timezone) out.timezone = f.timezone;
  if (f.runAtStart) out.run_at_start = f.runAtStart === "true";
  // The shorthand when only the interval is given, as people write it.
  if (f.mode === "interval" && Object.keys(out).length === 1) return out.interval as string;
  return out as RecipeRule["schedule"];
}

// The form back to the API's rules, with the errors of the fields that are
// wrong (keyed by JSON pointer). Rules with nothing set are left out.
export function formToRules(form: RecipeForm): { rules: RecipeRules; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const rules: RecipeRules = {};
  for (const id of KNOWN_RULES) {
    const f = form.rules[id];
    const rule: RecipeRule = {};
    const enabled = triValue(f.enabled);
    if (enabled !== undefined) rule.enabled = enabled;
    if (f.risk) rule.risk_level = f.risk;
    const schedule = scheduleFromForm(f.schedule, ptr(id, "schedule"), errors);
    if (schedule !== undefined) rule.schedule = schedule;
    const s: Record<string, unknown> = { ...f.otherSettings };
    if (id === "HOST-OPEN-PORTS") {
      for (const [key, text] of [["allowed_tcp", f.allowedTcp], ["allowed_udp", f.allowedUdp]] as const) {
        const r = parsePortList(text);
        if (r.error) errors[ptr(id, "settings", key)] = r.error;
        else if (r.value) s[key] = r.value;
      }
      if (f.loopback) s.loopback = f.loopback;
    } else if (id === "HOST-VULN") {
      if (f.minSeverity) s.min_severity = f.minSeverity;
      const iu = triValue(f.includeUnfixed);
      if (iu !== undefined) s.include_unfixed = iu;
      if (f.feedDatabase.trim()) s.feed_database = f.feedDatabase.trim();
    } else {
      if (f.runtimeRules.trim()) s.rules = splitLines(f.runtimeRules);
      const fe = triValue(f.forwardEvents);
      if (fe !== undefined) s.forward_events = fe;
      if (f.syscallEvents) s.syscall_events = f.syscallEvents;
      if (f.tier) s.tier = f.tier;
      if (f.sensitivePaths.trim()) {
        const paths = splitLines(f.sensitivePaths);
        const bad = paths.find((p) => !p.startsWith("/"));
        if (bad) errors[ptr(id, "settings", "sensitive_paths")] = `expected absolute paths, got '${bad}'`;
        s.sensitive_paths = paths;
      }
    }
    // The schema says only "object"; the generated type is Record<string, never>.
    if (Object.keys(s).length) rule.settings = s as RecipeRule["settings"];
    if (Object.keys(rule).length) rules[id] = rule;
  }
  for (const [id, rule] of Object.entries(form.otherRules)) rules[id] = rule;
  return { rules, errors };
}

// The field a server error belongs to: the longest field key that is a
// prefix of the error's pointer (`/rules/X/settings/allowed_tcp/2` →
// `/rules/X/settings/allowed_tcp`), else the pointer itself.
export function fieldForPointer(pointer: string, fields: string[]): string {
  let best = "";
  for (const f of fields) {
    if ((pointer === f || pointer.startsWith(f + "/")) && f.length > best.length) best = f;
  }
  return best || pointer;
}

// Every field key the form shows, for fieldForPointer.
export function formFields(): string[] {
  const out: string[] = [];
  for (const id of KNOWN_RULES) {
    out.push(ptr(id), ptr(id, "enabled"), ptr(id, "risk_level"), ptr(id, "schedule"));
    for (const k of ["interval", "daily", "splay_percent", "timezone", "run_at_start"]) out.push(ptr(id, "schedule", k));
    out.push(ptr(id, "settings"));
    for (const k of FORM_SETTINGS[id]) out.push(ptr(id, "settings", k));
  }
  return out;
}
