// The ListSpecs (src/lib/listState.ts) of the Recipes and Cloud pages'
// lists: filters with their URL keys and API names, sort fields and
// defaults, as api/openapi.yaml declares them. Pure data.
import type { ListSpec } from "./listState";

export const RECIPE_LIST: ListSpec = {
  filters: [{ key: "q", api: "q", type: "text" }],
  sorts: ["name", "created_at", "updated_at"],
  descFirst: ["created_at", "updated_at"],
  defaultSort: "name",
};

export const ATTACHMENT_LIST: ListSpec = {
  filters: [],
  sorts: ["created_at", "priority"],
  descFirst: ["created_at", "priority"],
  defaultSort: "-priority",
  defaultPageSize: 25,
};

export const SUPPRESSION_KINDS = ["cve", "rule", "port"] as const;
export const SUPPRESSION_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "kind", api: "kind", type: "one", values: SUPPRESSION_KINDS },
  ],
  sorts: ["created_at", "value"],
  descFirst: ["created_at"],
  defaultSort: "-created_at",
};

export const ORGANISATION_LIST: ListSpec = {
  filters: [{ key: "q", api: "q", type: "text" }],
  sorts: ["name", "created_at", "updated_at"],
  descFirst: ["created_at", "updated_at"],
  defaultSort: "name",
};

export const ACCOUNT_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "provider", api: "provider", type: "one", values: ["aws", "oci"] },
  ],
  sorts: ["name", "identifier", "created_at"],
  descFirst: ["created_at"],
  defaultSort: "name",
};

export const SOURCE_LIST: ListSpec = {
  filters: [],
  sorts: ["name", "created_at"],
  descFirst: ["created_at"],
  defaultSort: "name",
};
