// The fingerprint the Enrol secrets tab shows: only what the agent accepts.
import { describe, expect, it } from "vitest";
import { validFingerprint } from "./enrol";

describe("validFingerprint", () => {
  it("accepts only sha256: and 64 hex digits", () => {
    const fp = `sha256:${"ab".repeat(32)}`;
    expect(validFingerprint(fp)).toBe(fp);
    expect(validFingerprint(` ${fp} `)).toBe(fp);
    expect(validFingerprint("sha256:xyz")).toBeNull();
    expect(validFingerprint(`sha256:${"AB".repeat(32)}`)).toBeNull();
    expect(validFingerprint(null)).toBeNull();
  });
});
