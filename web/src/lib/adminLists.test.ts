// The Settings and Channels lists' specs with the shared list state: URL
// round trip, values the API would refuse dropped, the list query and the
// export URL built from the same state.
import { describe, expect, it } from "vitest";
import { actorText, AUDIT_LIST, CHANNEL_LIST, rfc3339OrEmpty, TOKEN_LIST, USER_LIST } from "./adminLists";
import { emptyState, exportUrl, listQuery, stateFromUrl, stateToUrl } from "./listState";

describe("admin list specs", () => {
  it("round-trips the audit filters through the URL and exports the same filters", () => {
    const state = {
      ...emptyState(AUDIT_LIST),
      filters: { ...emptyState(AUDIT_LIST).filters, actor_type: ["user"], action: ["createToken", "updateUser"], target_id: "12", since: "2026-01-01T00:00:00Z" },
      sort: "time",
    };
    const url = stateToUrl(AUDIT_LIST, state, "", new URLSearchParams("event=5"));
    expect(url.get("event")).toBe("5");
    expect(stateFromUrl(AUDIT_LIST, url)).toEqual(state);
    expect(exportUrl("/api/v1/audit/export", AUDIT_LIST, state, "csv")).toBe(
      "/api/v1/audit/export?format=csv&sort=time&actor_type=user&action=createToken%2CupdateUser&target_id=12&since=2026-01-01T00%3A00%3A00Z",
    );
  });

  it("drops values the API would refuse", () => {
    const s = stateFromUrl(USER_LIST, new URLSearchParams("role=root,viewer&disabled=maybe&sort=last_login_at"));
    expect(s.filters.role).toEqual(["viewer"]);
    expect(s.filters.disabled).toBe("");
    expect(s.sort).toBe("name");
    expect(stateFromUrl(CHANNEL_LIST, new URLSearchParams("delivery=broken")).filters.delivery).toBe("");
  });

  it("sends the API's parameter names", () => {
    const s = stateFromUrl(TOKEN_LIST, new URLSearchParams("user=7&state=revoked"));
    expect(listQuery(TOKEN_LIST, s)).toEqual({ user_id: "7", state: ["revoked"], sort: "-created_at", limit: 50 });
    const c = stateFromUrl(CHANNEL_LIST, new URLSearchParams("delivery=failing&enabled=true"));
    expect(listQuery(CHANNEL_LIST, c)).toMatchObject({ delivery_state: "failing", enabled: true });
  });

  it("names an actor and checks times", () => {
    expect(actorText({ type: "user", id: "1", name: "e2e" })).toBe("user e2e");
    expect(actorText({ type: "system", id: null, name: null })).toBe("system");
    expect(rfc3339OrEmpty("2026-01-01T00:00:00Z")).toBe("2026-01-01T00:00:00Z");
    expect(rfc3339OrEmpty("yesterday")).toBe("");
  });
});
