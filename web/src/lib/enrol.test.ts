// The enrol command: the flags `warden agent enroll` takes, and values a
// shell would read quoted.
import { describe, expect, it } from "vitest";
import { enrolCommand, installCommand, shellQuote, validFingerprint, validKeyPin } from "./enrol";

const FP = `sha256:${"ab".repeat(32)}`;

describe("enrol command", () => {
  it("has the server, secret and fingerprint", () => {
    expect(enrolCommand("https://127.0.0.1:8443", "wdn_enr_abc", FP)).toBe(`warden agent enroll --server https://127.0.0.1:8443 --secret wdn_enr_abc --ca-fingerprint ${FP}`);
  });
  it("leaves the fingerprint out when unknown", () => {
    expect(enrolCommand("https://h:1", "wdn_enr_x", null)).toBe("warden agent enroll --server https://h:1 --secret wdn_enr_x");
  });
  it("quotes what a shell would interpret", () => {
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's;$(x)")).toBe(`'it'\\''s;$(x)'`);
  });
  it("installs with the key pin, the fingerprint and the secret", () => {
    const pin = `sha256//${"A".repeat(43)}=`;
    expect(installCommand("https://h:8443/", "wdn_enr_x", FP, pin)).toBe(
      `curl -fsS --insecure --pinnedpubkey ${pin} https://h:8443/api/v1/agent/install.sh | sudo sh -s -- --server https://h:8443 --ca-fingerprint ${FP} --secret wdn_enr_x`,
    );
    expect(validKeyPin(pin)).toBe(pin);
    expect(validKeyPin("sha256//short=")).toBeNull();
  });
  it("accepts only sha256: and 64 hex digits", () => {
    expect(validFingerprint(FP)).toBe(FP);
    expect(validFingerprint("sha256:xyz")).toBeNull();
    expect(validFingerprint(null)).toBeNull();
  });
});
