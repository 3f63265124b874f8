// The state of one live query as its Server-Sent Events arrive
// (GET /api/v1/queries/{id}/stream: `host`, `rows`, `truncated`, `progress`,
// `end`), plus the grid's client-side filter and sort over the rows held.
// Rows are appended in place (a run may hold 100,000 of them): the store
// counts versions so the page re-renders in batches, not per event. It opens
// no connection itself (the page owns the EventSource) and renders nothing.
import type { Schemas } from "../api/client";

export type LiveQuery = Schemas["LiveQuery"];
export type LiveQueryHost = Schemas["LiveQueryHost"];
export type Cell = string | number | boolean | null | undefined;

export interface ResultRow {
  host_id: string;
  row: Record<string, Cell>;
}

export class RunStore {
  query: LiveQuery | null = null;
  hosts = new Map<string, LiveQueryHost>();
  rows: ResultRow[] = [];
  columns: string[] = [];
  truncatedAt: number | null = null;
  ended = false;
  version = 0;
  private columnSet = new Set<string>();

  constructor(query?: LiveQuery) {
    if (query) this.setQuery(query);
  }

  private setQuery(q: LiveQuery) {
    this.query = q;
    this.addColumns(q.columns);
    if (q.truncated_at !== null) this.truncatedAt = q.truncated_at;
  }

  private addColumns(names: Iterable<string>) {
    for (const c of names) {
      if (!this.columnSet.has(c)) {
        this.columnSet.add(c);
        this.columns.push(c);
      }
    }
  }

  // Applies one event; returns false for an event it does not know.
  apply(type: string, data: unknown): boolean {
    switch (type) {
      case "host": {
        const h = data as LiveQueryHost;
        this.hosts.set(h.host_id, h);
        break;
      }
      case "rows": {
        const { host_id, rows } = data as { host_id: string; rows: Record<string, Cell>[] };
        for (const row of rows) {
          this.rows.push({ host_id, row });
          this.addColumns(Object.keys(row));
        }
        break;
      }
      case "truncated":
        this.truncatedAt = (data as { truncated_at: number }).truncated_at;
        break;
      case "progress":
        this.setQuery(data as LiveQuery);
        break;
      case "end":
        this.setQuery(data as LiveQuery);
        this.ended = true;
        break;
      default:
        return false;
    }
    this.version++;
    return true;
  }

  hostname(hostId: string): string {
    return this.hosts.get(hostId)?.hostname ?? hostId;
  }

  hostList(): LiveQueryHost[] {
    return [...this.hosts.values()].sort((a, b) => a.hostname.localeCompare(b.hostname) || a.host_id.localeCompare(b.host_id));
  }

  errors(): LiveQueryHost[] {
    return this.hostList().filter((h) => h.state === "error" || h.state === "offline" || h.error);
  }
}

// A cell as text: null as "NULL", everything else as the string it is.
export function cellText(v: Cell): string {
  if (v === null || v === undefined) return "NULL";
  return typeof v === "string" ? v : String(v);
}

function compareCells(a: Cell, b: Cell): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : an ? -1 : 1;
  const x = typeof a === "number" ? a : Number(a);
  const y = typeof b === "number" ? b : Number(b);
  if (a !== "" && b !== "" && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return String(a).localeCompare(String(b));
}

export interface GridView {
  filter: string;
  sort: { column: string; descending: boolean } | null;
}

export const HOST_COLUMN = "\u0000host";

// The row indexes to show: rows whose text (host name included) contains the
// filter, case-insensitively, sorted by a column (numbers as numbers, NULL
// first), stable, so equal cells keep arrival order.
export function viewRows(rows: ResultRow[], hostname: (id: string) => string, view: GridView): number[] {
  const needle = view.filter.trim().toLowerCase();
  let idx: number[] = [];
  if (!needle) idx = rows.map((_, i) => i);
  else {
    rows.forEach((r, i) => {
      if (hostname(r.host_id).toLowerCase().includes(needle)) idx.push(i);
      else if (Object.values(r.row).some((v) => cellText(v).toLowerCase().includes(needle))) idx.push(i);
    });
  }
  const sort = view.sort;
  if (sort) {
    const get = sort.column === HOST_COLUMN ? (i: number) => hostname(rows[i].host_id) : (i: number) => rows[i].row[sort.column];
    idx.sort((a, b) => {
      const c = compareCells(get(a), get(b));
      return (sort.descending ? -c : c) || a - b;
    });
  }
  return idx;
}

// The stream's URL; `timeout` is the server's longest (the page reconnects
// with Last-Event-ID, which EventSource does itself, if a run outlives it).
export function streamUrl(id: string): string {
  return `/api/v1/queries/${encodeURIComponent(id)}/stream?timeout=3600`;
}

export function exportUrl(id: string, format: "csv" | "jsonl"): string {
  return `/api/v1/queries/${encodeURIComponent(id)}/results/export?format=${format}`;
}

export type Targets = Schemas["LiveQueryTargets"];

// The request's targets from the picker's choice: all, or the union of
// labels and hosts (empty lists left out: the API wants at least one item).
export function targetsOf(choice: { all: boolean; labels: string[]; hostIds: string[] }): Targets | null {
  if (choice.all) return { all: true };
  const t: Targets = {};
  if (choice.labels.length) t.labels = choice.labels;
  if (choice.hostIds.length) t.host_ids = choice.hostIds;
  return t.labels || t.host_ids ? t : null;
}

// A live query's targets in words, for the history.
export function describeTargets(t: LiveQuery["targets"], hostname?: (id: string) => string): string {
  if (t.all) return "all hosts";
  const parts: string[] = [];
  if (t.labels.length) parts.push(`label${t.labels.length > 1 ? "s" : ""} ${t.labels.join(", ")}`);
  if (t.host_ids.length) {
    const count = `${t.host_ids.length} host${t.host_ids.length > 1 ? "s" : ""}`;
    const names = hostname ? t.host_ids.slice(0, 3).map(hostname) : [];
    parts.push(names.length ? `${count} (${names.join(", ")}${t.host_ids.length > 3 ? ", …" : ""})` : count);
  }
  return parts.join(" + ") || "no host";
}

// A run's outcome in words: state and the per-state host counts that matter.
export function describeOutcome(q: LiveQuery): string {
  const c = q.counts;
  const parts = [`${c.done}/${c.targeted} done`];
  if (c.error) parts.push(`${c.error} error`);
  if (c.offline) parts.push(`${c.offline} offline`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  if (c.pending + c.running) parts.push(`${c.pending + c.running} waiting`);
  return `${q.state}: ${parts.join(", ")} · ${q.stored_rows.toLocaleString("en")} row${q.stored_rows === 1 ? "" : "s"}${q.truncated_at !== null ? " (truncated)" : ""}`;
}
