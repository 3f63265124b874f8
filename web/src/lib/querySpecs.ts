// The ListSpecs (src/lib/listState.ts) of the Queries page's server-paged
// lists: the live query history and the saved queries, with their URL keys,
// API names, sort fields and defaults as api/openapi.yaml declares them. Pure
// data; no fetching, no rendering.
import type { ListSpec } from "./listState";

export const LIVE_QUERY_STATES = ["running", "done", "cancelled"] as const;

// GET /api/v1/queries (and /export). `by` is `user:ID`; `saved` a saved query's id.
export const LIVE_QUERY_LIST: ListSpec = {
  filters: [
    { key: "state", api: "state", type: "list", values: LIVE_QUERY_STATES },
    { key: "by", api: "created_by", type: "text" },
    { key: "saved", api: "saved_query_id", type: "text" },
  ],
  sorts: ["created_at", "id"],
  descFirst: ["created_at", "id"],
  defaultSort: "-created_at",
  defaultPageSize: 25,
};

// GET /api/v1/saved-queries (and /export).
export const SAVED_QUERY_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "fav", api: "favourite", type: "bool" },
    { key: "scheduled", api: "scheduled", type: "bool" },
    { key: "tag", api: "tag", type: "list" },
  ],
  sorts: ["name", "created_at", "updated_at"],
  descFirst: ["created_at", "updated_at"],
  defaultSort: "name",
  defaultPageSize: 25,
};
