// Notification channels between the form and the API: the form's flat
// fields to a ChannelCreate / ChannelUpdate body and back from a Channel,
// a one-line summary of triggers, and a fresh Standard Webhooks signing key.
// Pure; no fetching. The secret is never read from a channel (the API does
// not return it): an edit leaves it empty, which keeps the stored one.
import type { Schemas } from "../api/client";

export type Channel = Schemas["Channel"];
export type ChannelType = Schemas["ChannelType"];
export type ProblemAction = Schemas["ProblemAction"];
export type RiskLevel = Schemas["RiskLevel"];

export const CHANNEL_TYPES: { type: ChannelType; label: string; secret: string | null }[] = [
  { type: "webhook", label: "Signed webhook", secret: "Signing key" },
  { type: "slack", label: "Slack", secret: "Incoming-webhook URL" },
  { type: "splunk_hec", label: "Splunk HEC", secret: "HEC token" },
  { type: "syslog", label: "Syslog", secret: null },
  { type: "file", label: "File", secret: null },
];

export function typeLabel(t: ChannelType): string {
  return CHANNEL_TYPES.find((c) => c.type === t)?.label ?? t;
}

export function secretLabel(t: ChannelType): string | null {
  return CHANNEL_TYPES.find((c) => c.type === t)?.secret ?? null;
}

export const ACTIONS: ProblemAction[] = ["opened", "updated", "resolved", "reopened", "dismissed", "undismissed", "dismissal_expired"];
export const RISKS: RiskLevel[] = ["low", "medium", "high", "very_high", "extreme"];

export interface ChannelForm {
  name: string;
  type: ChannelType;
  enabled: boolean;
  secret: string;
  url: string;
  signature: "standard_webhooks" | "github_sha256" | "warden";
  headers: string; // one "Name: value" a line
  timeoutMs: string;
  allowInsecure: boolean;
  slackChannel: string;
  mention: string;
  index: string;
  sourcetype: string;
  verifyTls: boolean;
  address: string;
  transport: "udp" | "tcp" | "unix";
  facility: string;
  path: string;
  kindProblems: boolean;
  kindAudit: boolean;
  minRisk: RiskLevel | "";
  ruleIds: string; // comma or space separated
  labels: string;
  actions: ProblemAction[];
}

export function emptyForm(type: ChannelType = "webhook"): ChannelForm {
  return {
    name: "",
    type,
    enabled: true,
    secret: "",
    url: "",
    signature: "standard_webhooks",
    headers: "",
    timeoutMs: "",
    allowInsecure: false,
    slackChannel: "",
    mention: "",
    index: "",
    sourcetype: "",
    verifyTls: true,
    address: "",
    transport: "udp",
    facility: "local0",
    path: "",
    kindProblems: true,
    kindAudit: false,
    minRisk: "",
    ruleIds: "",
    labels: "",
    actions: [],
  };
}

function words(text: string): string[] {
  const out: string[] = [];
  for (const w of text.split(/[\s,]+/)) if (w && !out.includes(w)) out.push(w);
  return out;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

// The headers text as an object, or the line that is not "Name: value".
export function parseHeaders(text: string): Record<string, string> | { bad: string } {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return { bad: line };
    out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

export function configFromForm(f: ChannelForm): Record<string, unknown> | { bad: string } {
  switch (f.type) {
    case "webhook": {
      const headers = parseHeaders(f.headers);
      if ("bad" in headers && typeof headers.bad === "string") return { bad: `Header line “${headers.bad}” is not “Name: value”.` };
      const c: Record<string, unknown> = { url: f.url.trim(), signature: f.signature };
      if (Object.keys(headers).length) c.headers = headers;
      if (f.timeoutMs.trim()) c.timeout_ms = Number(f.timeoutMs);
      if (f.allowInsecure) c.allow_insecure = true;
      return c;
    }
    case "slack":
      return { channel: f.slackChannel.trim() || null, mention: f.mention.trim() || null };
    case "splunk_hec": {
      const c: Record<string, unknown> = { url: f.url.trim(), index: f.index.trim() || null, sourcetype: f.sourcetype.trim() || null, verify_tls: f.verifyTls };
      if (f.allowInsecure) c.allow_insecure = true;
      return c;
    }
    case "syslog":
      return { address: f.address.trim(), transport: f.transport, facility: f.facility };
    case "file":
      return { path: f.path.trim() };
  }
}

export function triggersFromForm(f: ChannelForm): Schemas["ChannelTriggers"] {
  const kinds: ("problems" | "audit")[] = [];
  if (f.kindProblems) kinds.push("problems");
  if (f.kindAudit) kinds.push("audit");
  return {
    kinds,
    min_risk_level: f.minRisk || null,
    rule_ids: words(f.ruleIds),
    labels: words(f.labels),
    actions: f.actions,
  };
}

// The create body; `secret` only when one was typed.
export function createBody(f: ChannelForm): Schemas["ChannelCreate"] | { bad: string } {
  const config = configFromForm(f);
  if ("bad" in config && typeof config.bad === "string") return { bad: config.bad };
  if (!f.kindProblems && !f.kindAudit) return { bad: "Choose at least one kind of record to send." };
  const body: Schemas["ChannelCreate"] = {
    name: f.name.trim(),
    type: f.type,
    enabled: f.enabled,
    // The spec types config as a bare object; its shape is checked per type by the server.
    config: config as Schemas["ChannelCreate"]["config"],
    triggers: triggersFromForm(f),
  };
  if (f.secret && secretLabel(f.type)) body.secret = f.secret;
  return body;
}

// The update body: everything but the type; the secret only when replaced.
export function updateBody(f: ChannelForm): Schemas["ChannelUpdate"] | { bad: string } {
  const created = createBody(f);
  if ("bad" in created && typeof created.bad === "string") return { bad: created.bad };
  const { type: _type, ...rest } = created as Schemas["ChannelCreate"];
  return rest;
}

export function formFromChannel(c: Channel): ChannelForm {
  const cfg = (c.config ?? {}) as Record<string, unknown>;
  const headers = cfg.headers && typeof cfg.headers === "object" ? (cfg.headers as Record<string, unknown>) : {};
  const t = c.triggers ?? {};
  const kinds = t.kinds ?? ["problems"];
  return {
    ...emptyForm(c.type),
    name: c.name,
    enabled: c.enabled,
    url: str(cfg.url),
    signature: (["standard_webhooks", "github_sha256", "warden"].includes(str(cfg.signature)) ? str(cfg.signature) : "standard_webhooks") as ChannelForm["signature"],
    headers: Object.entries(headers)
      .map(([k, v]) => `${k}: ${str(v)}`)
      .join("\n"),
    timeoutMs: str(cfg.timeout_ms),
    allowInsecure: cfg.allow_insecure === true,
    slackChannel: str(cfg.channel),
    mention: str(cfg.mention),
    index: str(cfg.index),
    sourcetype: str(cfg.sourcetype),
    verifyTls: cfg.verify_tls !== false,
    address: str(cfg.address),
    transport: (["udp", "tcp", "unix"].includes(str(cfg.transport)) ? str(cfg.transport) : "udp") as ChannelForm["transport"],
    facility: str(cfg.facility) || "local0",
    path: str(cfg.path),
    kindProblems: kinds.includes("problems"),
    kindAudit: kinds.includes("audit"),
    minRisk: t.min_risk_level ?? "",
    ruleIds: (t.rule_ids ?? []).join(", "),
    labels: (t.labels ?? []).join(", "),
    actions: t.actions ?? [],
  };
}

// "problems ≥ high, rules HOST-VULN, labels env=prod, on opened/resolved; audit"
export function triggerSummary(t: Schemas["ChannelTriggers"] | undefined): string {
  const kinds = t?.kinds ?? ["problems"];
  const parts: string[] = [];
  if (kinds.includes("problems")) {
    const p = ["problems"];
    if (t?.min_risk_level) p.push(`risk ≥ ${t.min_risk_level.replace("_", " ")}`);
    if (t?.rule_ids?.length) p.push(`rules ${t.rule_ids.join(", ")}`);
    if (t?.labels?.length) p.push(`labels ${t.labels.join(", ")}`);
    p.push(t?.actions?.length ? `on ${t.actions.join("/")}` : "all events");
    parts.push(p.join(", "));
  }
  if (kinds.includes("audit")) parts.push("audit log");
  return parts.join("; ");
}

// The destination as one line, without secrets (header values left out).
export function destination(c: Channel): string {
  const cfg = (c.config ?? {}) as Record<string, unknown>;
  switch (c.type) {
    case "webhook":
    case "splunk_hec":
      return str(cfg.url);
    case "slack":
      return str(cfg.channel) || "(the webhook's default channel)";
    case "syslog":
      return `${str(cfg.transport) || "udp"} ${str(cfg.address)}`;
    case "file":
      return str(cfg.path);
  }
}

// whsec_ + base64 of 32 random bytes: a Standard Webhooks signing key.
export function newSigningKey(random: (a: Uint8Array) => Uint8Array = (a) => crypto.getRandomValues(a)): string {
  const bytes = random(new Uint8Array(32));
  let bin = "";
  bytes.forEach((b) => (bin += String.fromCharCode(b)));
  return `whsec_${btoa(bin)}`;
}
