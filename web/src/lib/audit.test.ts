// The audit log's filters: URL round trip, what reaches the API and the
// export URL, and that malformed URL values are dropped.
import { describe, expect, it } from "vitest";
import { actorText, auditExportUrl, auditFromUrl, auditHasFilter, auditQuery, auditToUrl, EMPTY_AUDIT } from "./audit";

describe("audit filters", () => {
  it("round-trips through the URL", () => {
    const f = {
      ...EMPTY_AUDIT,
      actorType: ["user" as const, "token" as const],
      actorId: "7",
      action: ["createToken", "updateUser"],
      targetType: "api_token",
      targetId: "12",
      since: "2026-01-01T00:00:00Z",
      until: "2026-02-01T00:00:00Z",
      oldestFirst: true,
    };
    expect(auditFromUrl(auditToUrl(f))).toEqual(f);
    expect(auditToUrl(EMPTY_AUDIT).toString()).toBe("");
  });

  it("drops values the API would refuse", () => {
    const f = auditFromUrl(new URLSearchParams("actor_type=robot,user&since=yesterday&until=2026-13-45T00:00:00Z&sort=sideways"));
    expect(f.actorType).toEqual(["user"]);
    expect(f.since).toBe("");
    expect(f.until).toBe("");
    expect(f.oldestFirst).toBe(false);
  });

  it("gives the list and the export the same filters", () => {
    const f = auditFromUrl(new URLSearchParams("action=createToken&target_id=5"));
    expect(auditQuery(f)).toEqual({ sort: "-time", action: ["createToken"], target_id: "5" });
    expect(auditExportUrl(f, "csv")).toBe("/api/v1/audit/export?format=csv&sort=-time&action=createToken&target_id=5");
    expect(auditHasFilter(f)).toBe(true);
    expect(auditHasFilter({ ...EMPTY_AUDIT, oldestFirst: true })).toBe(false);
  });

  it("names an actor", () => {
    expect(actorText({ type: "user", id: "1", name: "e2e" })).toBe("user e2e");
    expect(actorText({ type: "system", id: null, name: null })).toBe("system");
  });
});
