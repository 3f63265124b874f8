// The cloud rule form: settings ↔ fields, the row checks, the try-out and
// the row a server message names.
import { describe, expect, it } from "vitest";
import { formToSettings, rowFromMessage, settingsToForm, tryRows } from "./cloudRules";

describe("cloud rule settings", () => {
  it("round-trips rows, canary and exceptions", () => {
    const s = {
      enabled: true,
      risk_level: "high" as const,
      patterns: [{ eventName: "^Delete", eventSource: "^(?!ec2)" }],
      canary: { users: ["canary-user"] },
      exceptions: [{ "userIdentity.arn": { endswith: ":role/terraform" } }] as never[],
    };
    const { settings, check } = formToSettings(settingsToForm(s));
    expect(settings).toEqual(s);
    expect(check.errors).toEqual({});
  });
  it("leaves out what is not set", () => {
    expect(formToSettings(settingsToForm(undefined)).settings).toEqual({});
  });
  it("refuses a row without columns and warns of a regex the browser refuses", () => {
    const f = settingsToForm({ patterns: [{ eventName: "(" }, {}] });
    const { check } = formToSettings(f);
    expect(check.errors["row:1"]).toMatch(/no columns/);
    expect(check.warnings["row:0:eventName"]).toMatch(/PCRE2/);
    expect(check.errors["row:0"]).toBeUndefined();
  });
  it("tries rows against a sample event", () => {
    const rows = settingsToForm({ patterns: [{ eventName: "^Delete", eventSource: "^(?!ec2)" }, { eventName: "^Create" }, { userIdentityType: ".*" }] }).rows;
    expect(tryRows(rows, { eventName: "DeleteBucket", eventSource: "s3.amazonaws.com", userIdentityType: "" })).toEqual(["matches", "no match (eventName)", "matches"]);
    expect(tryRows(rows, { eventName: "DeleteVolume", eventSource: "ec2.amazonaws.com", userIdentityType: "" })[0]).toBe("no match (eventSource)");
  });
  it("finds the row a server message names", () => {
    expect(rowFromMessage("rules.RTM-011: patterns[2].eventName: regex error")).toBe(2);
    expect(rowFromMessage("unknown rule")).toBeNull();
  });
});
