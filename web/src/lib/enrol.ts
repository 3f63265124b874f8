// The copy-paste commands that enrol a host: the one-command install
// (src/server/install_script.h: curl pinned to the server's key fetches
// install.sh, which checks the CA, installs the packages and enrols) and, for
// a host that has warden, `warden agent enroll` (src/cli/agent_enroll_command.cc).
// `warden server enroll-secret create` prints the same two. The values: the
// server URL the console was loaded from, the secret, and the CA fingerprint
// and key pin the server publishes on /api/v1/agent/ca. Pure.

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

export function installCommand(server: string, secret: string, fingerprint: string, pin: string): string {
  const url = server.replace(/\/+$/, "");
  return [
    "curl -fsS --insecure --pinnedpubkey",
    shellQuote(pin),
    shellQuote(`${url}/api/v1/agent/install.sh`),
    "| sudo sh -s -- --server",
    shellQuote(url),
    "--ca-fingerprint",
    shellQuote(fingerprint),
    "--secret",
    shellQuote(secret),
  ].join(" ");
}

// A key pin as curl takes it: sha256// and the base64 of 32 bytes.
export function validKeyPin(value: string | null | undefined): string | null {
  return value && /^sha256\/\/[A-Za-z0-9+/]{43}=$/.test(value.trim()) ? value.trim() : null;
}

// A fingerprint as the agent accepts it: sha256: and 64 hex digits.
export function validFingerprint(value: string | null | undefined): string | null {
  return value && /^sha256:[0-9a-f]{64}$/.test(value.trim()) ? value.trim() : null;
}
