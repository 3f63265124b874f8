// The server CA's fingerprint as the agent accepts it (`warden agent enroll
// --ca-fingerprint`): sha256: and 64 hex digits; null otherwise. The enrol
// commands themselves come from the server with each new secret. Pure.
export function validFingerprint(value: string | null | undefined): string | null {
  return value && /^sha256:[0-9a-f]{64}$/.test(value.trim()) ? value.trim() : null;
}
