// Suppressions' client checks, the same the server makes (docs/api.md,
// "Suppressions"): the value's form by kind, a reason that is not blank (at
// most 1000 bytes), an expiry in the future. Errors are keyed by the JSON
// pointer the server names (`/value`, `/reason`, `/expires_at`). Pure.
export type SuppressionKind = "cve" | "rule" | "port";

export const VALUE_HINT: Record<SuppressionKind, string> = {
  cve: "CVE-2024-1234 (upper case)",
  rule: "a rule id: HOST-OPEN-PORTS",
  port: "tcp/8080, udp/53, or 8080 for both",
};

export function valueError(kind: SuppressionKind, value: string): string | null {
  const v = value.trim();
  if (!v) return "Give the value.";
  if (v.length > 128) return "At most 128 characters.";
  if (kind === "cve" && !/^CVE-\d{4}-\d{4,}$/.test(v)) return "Expected a CVE id like CVE-2024-1234 (upper case).";
  if (kind === "rule" && !/^[A-Za-z0-9_.:-]+$/.test(v)) return "Expected a rule id: letters, digits, -, _, ., :";
  if (kind === "port") {
    const m = /^(?:(tcp|udp)\/)?([1-9]\d{0,4})$/.exec(v);
    if (!m || Number(m[2]) > 65535) return "Expected tcp/8080, udp/53 or 8080 (1-65535, no leading zero).";
  }
  return null;
}

export function reasonError(reason: string): string | null {
  if (!reason.trim()) return "Say why: a reason is required.";
  if (new TextEncoder().encode(reason).length > 1000) return "At most 1000 bytes.";
  return null;
}

export function expiryError(utc: string | null, raw: string, now = Date.now()): string | null {
  if (!raw) return null;
  if (!utc) return "Not a valid time.";
  if (Date.parse(utc) <= now) return "The expiry must be in the future.";
  return null;
}
