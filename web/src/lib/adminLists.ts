// The ListSpecs (src/lib/listState.ts) of the Settings and Channels lists:
// users, API tokens, enrol secrets, the audit log and channels — filters
// with their URL keys and API names, sort fields and defaults, as
// api/openapi.yaml declares them (sorts the server refuses, such as users by
// last_login_at, are left out). Also the actor of an audit entry as text.
// Pure data and functions; no fetching, no rendering.
import type { Schemas } from "../api/client";
import type { ListSpec } from "./listState";

export const ROLES = ["admin", "analyst", "viewer"] as const;
export const CREDENTIAL_STATES = ["active", "expired", "revoked"] as const;
export const ACTOR_TYPES = ["user", "token", "node", "enroll_secret", "system"] as const;
export const CHANNEL_TYPE_VALUES = ["webhook", "slack", "splunk_hec", "syslog", "file"] as const;
export const DELIVERY_STATES = ["ok", "failing", "idle", "disabled"] as const;

export const USER_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "role", api: "role", type: "list", values: ROLES },
    { key: "disabled", api: "disabled", type: "bool" },
  ],
  sorts: ["name", "role", "created_at"],
  descFirst: ["created_at"],
  defaultSort: "name",
};

export const TOKEN_LIST: ListSpec = {
  filters: [
    { key: "user", api: "user_id", type: "text" },
    { key: "state", api: "state", type: "list", values: CREDENTIAL_STATES },
  ],
  sorts: ["name", "created_at", "expires_at", "last_used_at"],
  descFirst: ["created_at", "expires_at", "last_used_at"],
  defaultSort: "-created_at",
};

export const ENROLL_SECRET_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "state", api: "state", type: "list", values: CREDENTIAL_STATES },
    { key: "label", api: "label", type: "list" },
  ],
  sorts: ["name", "created_at", "expires_at", "last_used_at", "uses"],
  descFirst: ["created_at", "expires_at", "last_used_at", "uses"],
  defaultSort: "-created_at",
};

export const AUDIT_LIST: ListSpec = {
  filters: [
    { key: "actor_type", api: "actor_type", type: "list", values: ACTOR_TYPES },
    { key: "actor_id", api: "actor_id", type: "text" },
    { key: "action", api: "action", type: "list" },
    { key: "target_type", api: "target_type", type: "text" },
    { key: "target_id", api: "target_id", type: "text" },
    { key: "since", api: "since", type: "text" },
    { key: "until", api: "until", type: "text" },
  ],
  sorts: ["time"],
  descFirst: ["time"],
  defaultSort: "-time",
};

export const CHANNEL_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "type", api: "type", type: "list", values: CHANNEL_TYPE_VALUES },
    { key: "delivery", api: "delivery_state", type: "one", values: DELIVERY_STATES },
    { key: "enabled", api: "enabled", type: "bool" },
  ],
  sorts: ["name", "type", "created_at"],
  descFirst: ["created_at"],
  defaultSort: "name",
};

// The actor as one line: "user e2e", "token ci", "system".
export function actorText(a: Schemas["Actor"]): string {
  const who = a.name ?? a.id;
  return who ? `${a.type} ${who}` : a.type;
}

// An RFC 3339 time, or "" when the text is not one (the API would refuse it).
export function rfc3339OrEmpty(value: string): string {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)) ? value : "";
}
