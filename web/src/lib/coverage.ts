// Scan coverage of one host from its detectors as GET /api/v1/hosts gives
// them: which enabled detectors are overdue (their next run is past by more
// than a grace, or they never ran). Pure; it fetches nothing and does not
// look at run-now requests.
import type { Schemas } from "../api/client";

export const GRACE_MINUTES = 5;

export function overdueDetectors(host: Schemas["Host"], now: number): string[] {
  if (host.status === "revoked") return [];
  return host.detectors
    .filter((d) => d.enabled && !d.running)
    .filter((d) => (d.next_run_at ? Date.parse(d.next_run_at) < now - GRACE_MINUTES * 60_000 : !d.last_run_at))
    .map((d) => d.rule_id);
}
