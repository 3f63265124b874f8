// The audit log's filters as they live in the URL (shareable) and as the API
// wants them: list query and export URL from one source, so the export is
// exactly what the list shows. Pure; no fetching.
import type { Schemas } from "../api/client";

export type ActorType = Schemas["ActorType"];
export const ACTOR_TYPES: ActorType[] = ["user", "token", "node", "enroll_secret", "system"];

export interface AuditFilters {
  actorType: ActorType[];
  actorId: string;
  action: string[];
  targetType: string;
  targetId: string;
  since: string; // RFC 3339 UTC or ""
  until: string;
  oldestFirst: boolean;
}

export const EMPTY_AUDIT: AuditFilters = { actorType: [], actorId: "", action: [], targetType: "", targetId: "", since: "", until: "", oldestFirst: false };

function split(value: string | null): string[] {
  const out: string[] = [];
  for (const part of (value ?? "").split(",")) {
    const v = part.trim();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

function isTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

// Unknown or malformed values are dropped: the API would refuse them.
export function auditFromUrl(p: URLSearchParams): AuditFilters {
  const since = p.get("since") ?? "";
  const until = p.get("until") ?? "";
  return {
    actorType: split(p.get("actor_type")).filter((t): t is ActorType => (ACTOR_TYPES as string[]).includes(t)),
    actorId: (p.get("actor_id") ?? "").trim().slice(0, 128),
    action: split(p.get("action")).filter((a) => a.length <= 64).slice(0, 100),
    targetType: (p.get("target_type") ?? "").trim().slice(0, 64),
    targetId: (p.get("target_id") ?? "").trim().slice(0, 256),
    since: isTime(since) ? since : "",
    until: isTime(until) ? until : "",
    oldestFirst: p.get("sort") === "time",
  };
}

export function auditToUrl(f: AuditFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.actorType.length) p.set("actor_type", f.actorType.join(","));
  if (f.actorId) p.set("actor_id", f.actorId);
  if (f.action.length) p.set("action", f.action.join(","));
  if (f.targetType) p.set("target_type", f.targetType);
  if (f.targetId) p.set("target_id", f.targetId);
  if (f.since) p.set("since", f.since);
  if (f.until) p.set("until", f.until);
  if (f.oldestFirst) p.set("sort", "time");
  return p;
}

export function auditHasFilter(f: AuditFilters): boolean {
  return [...auditToUrl({ ...f, oldestFirst: false }).keys()].length > 0;
}

// The filters and sort in the API's names (no paging); empty ones left out.
export function auditQuery(f: AuditFilters) {
  return {
    sort: (f.oldestFirst ? "time" : "-time") as "time" | "-time",
    ...(f.actorType.length ? { actor_type: f.actorType } : {}),
    ...(f.actorId ? { actor_id: f.actorId } : {}),
    ...(f.action.length ? { action: f.action } : {}),
    ...(f.targetType ? { target_type: f.targetType } : {}),
    ...(f.targetId ? { target_id: f.targetId } : {}),
    ...(f.since ? { since: f.since } : {}),
    ...(f.until ? { until: f.until } : {}),
  };
}

export function auditExportUrl(f: AuditFilters, format: "csv" | "jsonl"): string {
  const p = new URLSearchParams();
  p.set("format", format);
  for (const [key, value] of Object.entries(auditQuery(f))) p.set(key, Array.isArray(value) ? value.join(",") : String(value));
  return `/api/v1/audit/export?${p.toString()}`;
}

// The actor as one line: "user e2e", "token ci (4)", "system".
export function actorText(a: Schemas["Actor"]): string {
  const who = a.name ?? a.id;
  return who ? `${a.type} ${who}` : a.type;
}
