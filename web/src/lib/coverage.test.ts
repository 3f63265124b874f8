import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { overdueDetectors } from "./coverage";
import { PROBLEM_LIST, bulkFilterable, problemFilterBody } from "./problemFilters";
import { stateFromUrl } from "./listState";

const now = Date.parse("2026-01-01T12:00:00Z");
function detector(rule_id: string, over: Partial<Schemas["DetectorStatus"]>): Schemas["DetectorStatus"] {
  return { rule_id, enabled: true, last_run_at: "2026-01-01T11:59:00Z", duration_ms: 5, outcome: "succeeded", result: null, next_run_at: "2026-01-01T12:01:00Z", running: false, runs: 1, failures: 0, ...over };
}
function host(status: Schemas["HostStatus"], detectors: Schemas["DetectorStatus"][]) {
  return { status, detectors } as unknown as Schemas["Host"];
}

describe("scan coverage", () => {
  it("names enabled detectors whose next run is past the grace, or that never ran", () => {
    const h = host("offline", [
      detector("ON-TIME", {}),
      detector("LATE", { next_run_at: "2026-01-01T11:50:00Z" }),
      detector("A-BIT-LATE", { next_run_at: "2026-01-01T11:58:00Z" }),
      detector("NEVER", { last_run_at: null, next_run_at: null }),
      detector("OFF", { enabled: false, next_run_at: "2026-01-01T10:00:00Z" }),
      detector("RUNNING", { running: true, next_run_at: "2026-01-01T10:00:00Z" }),
    ]);
    expect(overdueDetectors(h, now)).toEqual(["LATE", "NEVER"]);
  });

  it("leaves revoked hosts out", () => {
    expect(overdueDetectors(host("revoked", [detector("LATE", { next_run_at: "2026-01-01T10:00:00Z" })]), now)).toEqual([]);
  });
});

describe("bulk actions and the source filter", () => {
  it("offers all matching only for filters the bulk API takes", () => {
    const s = stateFromUrl(PROBLEM_LIST, new URLSearchParams("status=open&subject=cloud"));
    expect(bulkFilterable(s)).toBe(false);
    expect(problemFilterBody(s)).toEqual({ status: ["open"] });
    expect(bulkFilterable(stateFromUrl(PROBLEM_LIST, new URLSearchParams("status=open")))).toBe(true);
  });
});
