// The state of one server-paged list — filters, sort and page size — as it
// lives in the page's URL (so a view can be shared), and the same state as the
// API wants it: the list call's query and the `/export` twin's URL. One source
// for both, so Export acts on exactly what the list shows. Also the per-user
// column choice and order kept in localStorage. Pure apart from the storage
// passed in; no fetching, no React.
//
// A list is described by a ListSpec: its filters (each with its URL key, its
// API name and how its value is read), its sortable fields, default sort and
// page sizes. Several lists on one page keep apart with a URL prefix.

export type FilterType = "text" | "list" | "one" | "bool" | "number";

export interface FilterSpec {
  // The key in the page's URL (short, stable: shared links use it).
  key: string;
  // The query parameter of the API (and of its /export twin).
  api: string;
  type: FilterType;
  // The allowed values (list and one); others are dropped from the URL.
  values?: readonly string[];
}

export interface ListSpec {
  filters: readonly FilterSpec[];
  // The API's sort fields (without "-").
  sorts: readonly string[];
  // Fields whose first click sorts descending (times, risk, counts).
  descFirst?: readonly string[];
  defaultSort: string;
  pageSizes?: readonly number[];
  defaultPageSize?: number;
}

export type FilterValue = string | string[];

export interface ListState {
  filters: Record<string, FilterValue>;
  sort: string;
  limit: number;
}

export const PAGE_SIZES = [25, 50, 100, 500] as const;
export const DEFAULT_PAGE_SIZE = 50;

export function pageSizes(spec: ListSpec): readonly number[] {
  return spec.pageSizes ?? PAGE_SIZES;
}

export function defaultPageSize(spec: ListSpec): number {
  return spec.defaultPageSize ?? DEFAULT_PAGE_SIZE;
}

function emptyValue(f: FilterSpec): FilterValue {
  return f.type === "list" ? [] : "";
}

export function emptyState(spec: ListSpec): ListState {
  const filters: Record<string, FilterValue> = {};
  for (const f of spec.filters) filters[f.key] = emptyValue(f);
  return { filters, sort: spec.defaultSort, limit: defaultPageSize(spec) };
}

function splitValues(values: string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const part of value.split(",")) {
      const v = part.trim();
      if (v && !out.includes(v)) out.push(v);
    }
  }
  return out;
}

export function isSort(spec: ListSpec, value: string): boolean {
  const field = value.startsWith("-") ? value.slice(1) : value;
  return spec.sorts.includes(field);
}

// Unknown values are dropped, not passed on: the API would refuse them.
function readFilter(f: FilterSpec, raw: string[]): FilterValue {
  const allowed = (v: string) => !f.values || f.values.includes(v);
  switch (f.type) {
    case "list":
      return splitValues(raw).filter(allowed);
    case "one": {
      const v = (raw[0] ?? "").trim();
      return allowed(v) ? v : "";
    }
    case "bool": {
      const v = (raw[0] ?? "").trim();
      return v === "true" || v === "false" ? v : "";
    }
    case "number": {
      const v = (raw[0] ?? "").trim();
      return v !== "" && Number.isFinite(Number(v)) ? v : "";
    }
    default:
      return (raw[0] ?? "").trim();
  }
}

export function stateFromUrl(spec: ListSpec, params: URLSearchParams, prefix = ""): ListState {
  const state = emptyState(spec);
  for (const f of spec.filters) state.filters[f.key] = readFilter(f, params.getAll(prefix + f.key));
  const sort = params.get(prefix + "sort") ?? "";
  if (isSort(spec, sort)) state.sort = sort;
  const limit = Number(params.get(prefix + "limit"));
  if (pageSizes(spec).includes(limit)) state.limit = limit;
  return state;
}

function isSet(v: FilterValue | undefined): boolean {
  return Array.isArray(v) ? v.length > 0 : !!v;
}

// Only what differs from the defaults, in the spec's order. Other keys of
// `base` (another list's, a drawer's ?problem=) are kept.
export function stateToUrl(spec: ListSpec, state: ListState, prefix = "", base?: URLSearchParams): URLSearchParams {
  const p = new URLSearchParams(base);
  for (const f of spec.filters) p.delete(prefix + f.key);
  p.delete(prefix + "sort");
  p.delete(prefix + "limit");
  for (const f of spec.filters) {
    const v = state.filters[f.key];
    if (isSet(v)) p.set(prefix + f.key, Array.isArray(v) ? v.join(",") : v);
  }
  if (state.sort !== spec.defaultSort) p.set(prefix + "sort", state.sort);
  if (state.limit !== defaultPageSize(spec)) p.set(prefix + "limit", String(state.limit));
  return p;
}

export function hasFilter(spec: ListSpec, state: ListState): boolean {
  return spec.filters.some((f) => isSet(state.filters[f.key]));
}

// The filters only (no sort, no paging), in the API's names and types; unset
// ones left out.
export function apiFilters(spec: ListSpec, state: ListState): Record<string, string | string[] | number | boolean> {
  const out: Record<string, string | string[] | number | boolean> = {};
  for (const f of spec.filters) {
    const v = state.filters[f.key];
    if (!isSet(v)) continue;
    if (f.type === "bool") out[f.api] = v === "true";
    else if (f.type === "number") out[f.api] = Number(v);
    else out[f.api] = v;
  }
  return out;
}

// The list call's query: filters, sort, page size and the page's cursor.
export function listQuery(spec: ListSpec, state: ListState, cursor?: string) {
  return { ...apiFilters(spec, state), sort: state.sort, limit: state.limit, ...(cursor ? { cursor } : {}) };
}

// The export of exactly the filtered, sorted list (all pages).
export function exportUrl(base: string, spec: ListSpec, state: ListState, format: "csv" | "jsonl"): string {
  const p = new URLSearchParams();
  p.set("format", format);
  p.set("sort", state.sort);
  for (const [key, value] of Object.entries(apiFilters(spec, state))) {
    p.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return `${base}?${p.toString()}`;
}

// Clicking a column header: ascending first (descending first for the spec's
// descFirst fields), then the other way round.
export function nextSort(spec: ListSpec, current: string, field: string): string {
  if (current === field) return `-${field}`;
  if (current === `-${field}`) return field;
  const descFirst = spec.descFirst?.includes(field) ?? false;
  return descFirst ? `-${field}` : field;
}

export function sortState(current: string, field: string): "ascending" | "descending" | "none" {
  if (current === field) return "ascending";
  if (current === `-${field}`) return "descending";
  return "none";
}

// ---------------------------------------------------------------- columns

// Which columns a user shows, in which order, per list.
export interface ColumnPrefs {
  order: string[];
  hidden: string[];
}

export interface ColumnInfo {
  id: string;
  // Shown unless the user asks; false = offered in "Columns" but off at first.
  shown?: boolean;
  // Cannot be hidden (the column that names the row).
  required?: boolean;
}

export function columnPrefsKey(userId: string, list: string): string {
  return `warden.columns.${userId}.${list}`;
}

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function loadColumnPrefs(store: KeyValueStore | undefined, key: string): ColumnPrefs | null {
  try {
    const raw = store?.getItem(key);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<ColumnPrefs>;
    const strings = (a: unknown) => (Array.isArray(a) ? a.filter((s): s is string => typeof s === "string") : []);
    return { order: strings(v.order), hidden: strings(v.hidden) };
  } catch {
    return null;
  }
}

export function saveColumnPrefs(store: KeyValueStore | undefined, key: string, prefs: ColumnPrefs | null): void {
  try {
    if (prefs) store?.setItem(key, JSON.stringify(prefs));
    else store?.removeItem(key);
  } catch {
    // Storage full or refused (private mode): the choice lasts this visit only.
  }
}

export function defaultPrefs(columns: readonly ColumnInfo[]): ColumnPrefs {
  return { order: columns.map((c) => c.id), hidden: columns.filter((c) => c.shown === false && !c.required).map((c) => c.id) };
}

// The columns in the user's order: saved ids the list no longer has are
// dropped, columns added since are placed after their default predecessor.
export function orderedColumns(columns: readonly ColumnInfo[], prefs: ColumnPrefs | null): { id: string; visible: boolean }[] {
  const p = prefs ?? defaultPrefs(columns);
  const known = new Set(columns.map((c) => c.id));
  const order = p.order.filter((id, i) => known.has(id) && p.order.indexOf(id) === i);
  columns.forEach((c, i) => {
    if (order.includes(c.id)) return;
    const before = i === 0 ? -1 : order.indexOf(columns[i - 1].id);
    order.splice(before + 1, 0, c.id);
  });
  const isNew = (id: string) => !p.order.includes(id);
  const byId = new Map(columns.map((c) => [c.id, c]));
  return order.map((id) => {
    const c = byId.get(id)!;
    const visible = c.required || (isNew(id) ? c.shown !== false : !p.hidden.includes(id));
    return { id, visible };
  });
}

export function prefsFrom(cols: { id: string; visible: boolean }[]): ColumnPrefs {
  return { order: cols.map((c) => c.id), hidden: cols.filter((c) => !c.visible).map((c) => c.id) };
}

export function moveColumn(cols: { id: string; visible: boolean }[], id: string, by: -1 | 1) {
  const i = cols.findIndex((c) => c.id === id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= cols.length) return cols;
  const next = cols.slice();
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

export function toggleColumn(cols: { id: string; visible: boolean }[], id: string, required: readonly string[] = []) {
  if (required.includes(id)) return cols;
  return cols.map((c) => (c.id === id ? { ...c, visible: !c.visible } : c));
}
