import { describe, expect, it } from "vitest";
import { formatLocal, formatRelative, formatUtc, localInputToUtc } from "./time";

describe("times", () => {
  it("shows the viewer's zone and keeps UTC for the hover", () => {
    const iso = "2026-01-31T12:00:00Z";
    expect(formatUtc(iso)).toBe("2026-01-31 12:00:00 UTC");
    const berlin = formatLocal(iso, { timeZone: "Europe/Berlin", locale: "en-GB" });
    expect(berlin).toContain("13:00:00");
    const tokyo = formatLocal(iso, { timeZone: "Asia/Tokyo", locale: "en-GB" });
    expect(tokyo).toContain("21:00:00");
  });

  it("leaves text that is not a time as it is", () => {
    expect(formatUtc("soon")).toBe("soon");
    expect(formatLocal("soon")).toBe("soon");
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-01-31T12:00:00Z");
    expect(formatRelative("2026-01-31T11:55:00Z", now)).toBe("5 min ago");
    expect(formatRelative("2026-01-31T14:00:00Z", now)).toBe("in 2 h");
    expect(formatRelative("2026-01-28T12:00:00Z", now)).toBe("3 d ago");
  });

  it("turns an expiry picked in the viewer's zone into UTC", () => {
    expect(localInputToUtc("")).toBeNull();
    expect(localInputToUtc("garbage")).toBeNull();
    const utc = localInputToUtc("2026-02-01T10:30");
    expect(utc).toMatch(/^2026-0[12]-\d\dT\d\d:30:00Z$/);
  });
});
