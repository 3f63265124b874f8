// The recipe form: rules ↔ fields, the agent's checks (ports and ranges,
// durations, daily times) and where a server error's pointer lands.
import { describe, expect, it } from "vitest";
import { fieldForPointer, formFields, formToRules, parsePortList, portAllowed, rulesToForm, durationSeconds } from "./recipeForm";
import { expiryError, valueError } from "./suppressionForm";

describe("recipe form", () => {
  it("round-trips the documented example and keeps what it has no field for", () => {
    const rules = {
      "HOST-OPEN-PORTS": { settings: { allowed_tcp: [22, "8000-8100"], loopback: "ignore" }, schedule: "5m" },
      "HOST-VULN": { risk_level: "high" as const, settings: { min_severity: "high", include_unfixed: false } },
      "HOST-RUNTIME": { enabled: true, settings: { tier: "auto", future_key: 1 } },
      "HOST-OTHER": { enabled: false },
    };
    const { rules: back, errors } = formToRules(rulesToForm(rules as never));
    expect(errors).toEqual({});
    expect(back).toEqual(rules);
  });
  it("writes a full schedule as an object and checks it", () => {
    const f = rulesToForm({ "HOST-VULN": { schedule: { daily: ["03:00"], timezone: "utc" } } } as never);
    expect(formToRules(f).rules["HOST-VULN"].schedule).toEqual({ daily: ["03:00"], timezone: "utc" });
    f.rules["HOST-VULN"].schedule.daily = "25:00";
    f.rules["HOST-VULN"].schedule.splay = "101";
    const { errors } = formToRules(f);
    expect(errors["/rules/HOST-VULN/schedule/daily"]).toMatch(/HH:MM/);
    expect(errors["/rules/HOST-VULN/schedule/splay_percent"]).toMatch(/0 to 100/);
  });
  it("reads ports and ranges as the agent does", () => {
    expect(parsePortList("22, 443 8000-8100")).toEqual({ value: [22, 443, "8000-8100"] });
    expect(parsePortList("none")).toEqual({ value: [] });
    expect(parsePortList("")).toEqual({});
    expect(parsePortList("22, 70000").error).toMatch(/item 2/);
    expect(parsePortList("90-80").error).toBeDefined();
    expect(parsePortList("0").error).toBeDefined();
    expect(portAllowed([22, "8000-8100"], 8050)).toBe(true);
    expect(portAllowed([22], 23)).toBe(false);
  });
  it("puts a wrong port list's error on its field", () => {
    const f = rulesToForm({});
    f.rules["HOST-OPEN-PORTS"].allowedTcp = "22, http";
    expect(Object.keys(formToRules(f).errors)).toEqual(["/rules/HOST-OPEN-PORTS/settings/allowed_tcp"]);
  });
  it("takes durations in whole seconds", () => {
    expect(durationSeconds("5m")).toBe(300);
    expect(durationSeconds("300")).toBe(300);
    expect(durationSeconds("0s")).toBeNull();
    expect(durationSeconds("1500ms")).toBeNull();
    expect(durationSeconds("soon")).toBeNull();
  });
  it("lands a server pointer on the field that holds it", () => {
    const fields = formFields();
    expect(fieldForPointer("/rules/HOST-OPEN-PORTS/settings/allowed_tcp/2", fields)).toBe("/rules/HOST-OPEN-PORTS/settings/allowed_tcp");
    expect(fieldForPointer("/rules/HOST-VULN/settings/bogus", fields)).toBe("/rules/HOST-VULN/settings");
    expect(fieldForPointer("/rules/NOPE", fields)).toBe("/rules/NOPE");
  });
});

describe("suppression checks", () => {
  it("checks values by kind like the server", () => {
    expect(valueError("cve", "CVE-2024-1234")).toBeNull();
    expect(valueError("cve", "cve-2024-1234")).not.toBeNull();
    expect(valueError("port", "tcp/8080")).toBeNull();
    expect(valueError("port", "8080")).toBeNull();
    expect(valueError("port", "tcp/080")).not.toBeNull();
    expect(valueError("port", "70000")).not.toBeNull();
    expect(valueError("rule", "HOST-OPEN-PORTS")).toBeNull();
    expect(valueError("rule", "a b")).not.toBeNull();
  });
  it("wants an expiry in the future", () => {
    expect(expiryError(null, "")).toBeNull();
    expect(expiryError("2000-01-01T00:00:00Z", "x")).toMatch(/future/);
    expect(expiryError(null, "garbage")).toMatch(/valid/);
  });
});
