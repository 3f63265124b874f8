// The copy-paste command that enrols a host, as `warden agent enroll` takes it
// (src/cli/agent_enroll_command.cc; the server's banner prints the same):
// the server URL the console was loaded from, the secret, and the CA
// fingerprint the server publishes on /api/v1/agent/ca. Pure.

// Single quotes keep a shell from reading anything in the value.
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function enrolCommand(server: string, secret: string, fingerprint: string | null): string {
  const parts = ["warden agent enroll", "--server", shellQuote(server), "--secret", shellQuote(secret)];
  if (fingerprint) parts.push("--ca-fingerprint", shellQuote(fingerprint));
  return parts.join(" ");
}

// A fingerprint as the agent accepts it: sha256: and 64 hex digits.
export function validFingerprint(value: string | null | undefined): string | null {
  return value && /^sha256:[0-9a-f]{64}$/.test(value.trim()) ? value.trim() : null;
}
