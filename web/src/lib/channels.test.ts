// Channel form <-> API body: per-type config, triggers, the secret sent only
// when typed, header parsing, and a channel read back into the form.
import { describe, expect, it } from "vitest";
import { createBody, emptyForm, formFromChannel, newSigningKey, parseHeaders, triggerSummary, updateBody, type Channel } from "./channels";

describe("channel bodies", () => {
  it("makes a webhook create body with triggers", () => {
    const f = { ...emptyForm("webhook"), name: " siem ", url: "http://127.0.0.1:9/x", secret: "whsec_k", headers: "X-Team: sec\n", minRisk: "high" as const, labels: "env=prod, env=prod", actions: ["opened" as const] };
    expect(createBody(f)).toEqual({
      name: "siem",
      type: "webhook",
      enabled: true,
      config: { url: "http://127.0.0.1:9/x", signature: "standard_webhooks", headers: { "X-Team": "sec" } },
      secret: "whsec_k",
      triggers: { kinds: ["problems"], min_risk_level: "high", rule_ids: [], labels: ["env=prod"], actions: ["opened"] },
    });
  });

  it("sends no secret for syslog, and none on update when left empty", () => {
    const s = createBody({ ...emptyForm("syslog"), name: "s", address: "h:514", secret: "ignored" });
    expect("secret" in s).toBe(false);
    const u = updateBody({ ...emptyForm("webhook"), name: "w", url: "https://x" });
    expect("secret" in u).toBe(false);
    expect("type" in u).toBe(false);
  });

  it("refuses a header line without a colon and no kinds", () => {
    expect(parseHeaders("Just text")).toEqual({ bad: "Just text" });
    expect(createBody({ ...emptyForm("webhook"), headers: "nope" })).toHaveProperty("bad");
    expect(createBody({ ...emptyForm("file"), path: "p", kindProblems: false })).toHaveProperty("bad");
  });

  it("reads a channel back into the form without its secret", () => {
    const c = {
      id: "1",
      name: "hec",
      type: "splunk_hec",
      enabled: false,
      config: { url: "https://splunk:8088", index: "sec", verify_tls: false },
      has_secret: true,
      triggers: { kinds: ["problems", "audit"], rule_ids: ["HOST-VULN"] },
    } as unknown as Channel;
    const f = formFromChannel(c);
    expect(f).toMatchObject({ name: "hec", type: "splunk_hec", enabled: false, url: "https://splunk:8088", index: "sec", verifyTls: false, secret: "", kindAudit: true, ruleIds: "HOST-VULN" });
  });

  it("summarises triggers", () => {
    expect(triggerSummary({ kinds: ["problems"], min_risk_level: "very_high", actions: [] })).toBe("problems, risk ≥ very high, all events");
    expect(triggerSummary({ kinds: ["audit"] })).toBe("audit log");
  });

  it("makes a Standard Webhooks key of 32 bytes", () => {
    const key = newSigningKey((a) => a.fill(1));
    expect(key.startsWith("whsec_")).toBe(true);
    expect(atob(key.slice(6)).length).toBe(32);
  });
});
