// One list component for every server-paged list: cursor paging (Pager),
// sort by clicking a column header (aria-sort), filters and sort kept in the
// URL (useListState, src/lib/listState.ts), Export CSV / JSON lines of exactly
// the filtered, sorted list through the endpoint's /export twin, the API's
// bound shown as a notice when a response has one (`truncated_at`), an empty
// state that says why and what to do, loading and error states, a "Columns"
// control whose choice and order are kept per user and list in localStorage,
// and optional row selection for bulk actions.
//
// It does not know any endpoint: the page passes `load` (a typed api.GET
// call), the export path, its columns and how each cell renders. ListFilters
// is a plain filter form for the common filter kinds; a page may render its
// own instead. Cell values are rendered by React as text, never as HTML.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useSearchParams } from "react-router-dom";
import { errorMessage } from "../api/client";
import type { paths } from "../api/schema";
import { useSession } from "../session";
import {
  columnPrefsKey,
  emptyState,
  exportUrl,
  hasFilter,
  listQuery,
  loadColumnPrefs,
  moveColumn,
  nextSort,
  orderedColumns,
  pageSizes,
  prefsFrom,
  saveColumnPrefs,
  sortState,
  stateFromUrl,
  stateToUrl,
  toggleColumn,
  type FilterValue,
  type ListSpec,
  type ListState,
} from "../lib/listState";
import { Pager } from "./Pager";

export interface Column<T> {
  id: string;
  label: string;
  // The API's sort field, when the column sorts.
  sort?: string;
  className?: string;
  // false: offered under "Columns" but hidden until the user shows it.
  shown?: boolean;
  // Cannot be hidden.
  required?: boolean;
  cell(row: T): ReactNode;
}

export interface ListPage<T> {
  items: T[];
  total: number;
  next_cursor: string | null;
  truncated_at?: number | null;
}

export type ListQuery = ReturnType<typeof listQuery>;
// The generated query type of a GET path, for passing a ListQuery on:
// api.GET(P, { params: { query: query as QueryOf<P> } }).
export type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer T } } } ? NonNullable<T> : never;
export type Loader<T> = (query: ListQuery) => Promise<{ data?: ListPage<T>; error?: unknown }>;

// ---------------------------------------------------------------- URL state

export interface ListHandle {
  spec: ListSpec;
  prefix: string;
  state: ListState;
  // Changes some of the state (filters merged), keeping other URL keys.
  update(change: { filters?: Record<string, FilterValue>; sort?: string; limit?: number }): void;
  clear(): void;
  filtered: boolean;
  // Changes whenever filters, sort or page size change.
  key: string;
}

export function useListState(spec: ListSpec, prefix = ""): ListHandle {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => stateFromUrl(spec, params, prefix), [spec, params, prefix]);
  const key = stateToUrl(spec, state, prefix).toString();
  const update = useCallback<ListHandle["update"]>(
    (change) => {
      setParams(
        (current) =>
          stateToUrl(
            spec,
            { ...state, ...change, filters: { ...state.filters, ...(change.filters ?? {}) } },
            prefix,
            current,
          ),
        { replace: false },
      );
    },
    [spec, state, prefix, setParams],
  );
  const clear = useCallback(() => {
    setParams((current) => stateToUrl(spec, { ...emptyState(spec), sort: state.sort, limit: state.limit }, prefix, current));
  }, [spec, state.sort, state.limit, prefix, setParams]);
  return { spec, prefix, state, update, clear, filtered: hasFilter(spec, state), key };
}

// ---------------------------------------------------------------- columns

export function useColumns<T>(list: string, columns: Column<T>[]) {
  const { session } = useSession();
  const storageKey = columnPrefsKey(session?.user.id ?? "anonymous", list);
  const store = typeof window === "undefined" ? undefined : window.localStorage;
  const [cols, setCols] = useState(() => orderedColumns(columns, loadColumnPrefs(store, storageKey)));
  const ids = columns.map((c) => c.id).join(",");
  useEffect(() => {
    setCols(orderedColumns(columns, loadColumnPrefs(store, storageKey)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storageKey, ids]);
  const change = (next: { id: string; visible: boolean }[] | null) => {
    saveColumnPrefs(store, storageKey, next ? prefsFrom(next) : null);
    setCols(next ?? orderedColumns(columns, null));
  };
  return { cols, change };
}

function ColumnsControl<T>({ name, columns, cols, onChange }: {
  name: string;
  columns: Column<T>[];
  cols: { id: string; visible: boolean }[];
  onChange(next: { id: string; visible: boolean }[] | null): void;
}) {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const required = columns.filter((c) => c.required).map((c) => c.id);
  // The controls exist only while open: closed, nothing of it is in the page.
  const [open, setOpen] = useState(false);
  return (
    <details className="columns" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Columns</summary>
      {open && (
      <div className="columns-panel">
      <ul aria-label={`Columns of ${name}`}>
        {cols.map((c, i) => {
          const col = byId.get(c.id)!;
          return (
            <li key={c.id}>
              <label className="inline">
                <input type="checkbox" checked={c.visible} disabled={col.required} onChange={() => onChange(toggleColumn(cols, c.id, required))} />
                {col.label}
              </label>
              <span className="move">
                <button type="button" aria-label={`Move ${col.label} up`} disabled={i === 0} onClick={() => onChange(moveColumn(cols, c.id, -1))}>
                  ↑
                </button>
                <button type="button" aria-label={`Move ${col.label} down`} disabled={i === cols.length - 1} onClick={() => onChange(moveColumn(cols, c.id, 1))}>
                  ↓
                </button>
              </span>
            </li>
          );
        })}
      </ul>
      <button type="button" onClick={() => onChange(null)}>
        Reset columns
      </button>
      </div>
      )}
    </details>
  );
}

// ---------------------------------------------------------------- the list

export interface Selection<T> {
  selected: Set<string>;
  onChange(next: Set<string>): void;
  // The accessible name of a row's checkbox ("Select <title> on <host>").
  label(row: T): string;
}

export interface DataListProps<T> {
  // Names the list in its caption, the Columns control and export files.
  name: string;
  // The key the column choice is saved under (with the user's id).
  prefsKey: string;
  list: ListHandle;
  load: Loader<T>;
  // The /export twin's path; null when the list has none.
  exportPath: string | null;
  columns: Column<T>[];
  rowKey(row: T): string;
  // Why the list is empty and what to do; `filtered` when filters are set.
  empty(filtered: boolean, clear: () => void): ReactNode;
  selection?: Selection<T>;
  // Extra toolbar buttons (bulk actions), given the current total.
  actions?(total: number | null): ReactNode;
  // Bump to load the current page again (after a change).
  reload?: number;
  // Called with each page the server answers.
  onPage?(page: ListPage<T>): void;
  rowClass?(row: T): string | undefined;
}

export function DataList<T>({ name, prefsKey, list, load, exportPath, columns, rowKey, empty, selection, actions, reload = 0, onPage, rowClass }: DataListProps<T>) {
  const { state, key } = list;
  // The pages seen under the current filters and sort: other filters start
  // again at the first page (a cursor is only valid with its own filters).
  const [pagingState, setPaging] = useState<{ key: string; page: number; cursors: (string | undefined)[] }>({ key, page: 0, cursors: [undefined] });
  const paging = pagingState.key === key ? pagingState : { key, page: 0, cursors: [undefined] };
  const [result, setResult] = useState<ListPage<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [retry, setRetry] = useState(0);
  const { cols, change } = useColumns(prefsKey, columns);
  const firstKey = useRef(key);
  const loadRef = useRef(load);
  loadRef.current = load;
  const onPageRef = useRef(onPage);
  onPageRef.current = onPage;
  const selectionRef = useRef(selection);
  selectionRef.current = selection;

  // New filters or sort: nothing selected.
  useEffect(() => {
    if (firstKey.current === key) return;
    firstKey.current = key;
    selectionRef.current?.onChange(new Set());
  }, [key]);

  const cursor = paging.cursors[paging.page];
  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    loadRef
      .current(listQuery(list.spec, state, cursor))
      .then(({ data, error: e }) => {
        if (cancelled) return;
        setLoading(false);
        if (data) {
          setResult(data);
          setError(null);
          onPageRef.current?.(data);
        } else setError(errorMessage(e, `Loading ${name} failed`));
      })
      .catch((e) => {
        if (cancelled) return;
        setLoading(false);
        setError(errorMessage(e, "The server did not answer"));
      });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, cursor, reload, retry]);

  const byId = new Map(columns.map((c) => [c.id, c]));
  const shown = cols.filter((c) => c.visible).map((c) => byId.get(c.id)!);
  const items = result?.items ?? [];
  const selected = selection?.selected;
  const allOnPage = !!selected && items.length > 0 && items.every((r) => selected.has(rowKey(r)));
  const toggleAll = () => {
    if (!selection) return;
    const next = new Set(selection.selected);
    if (allOnPage) items.forEach((r) => next.delete(rowKey(r)));
    else items.forEach((r) => next.add(rowKey(r)));
    selection.onChange(next);
  };
  const toggle = (id: string) => {
    if (!selection) return;
    const next = new Set(selection.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    selection.onChange(next);
  };
  const sortLabel = columns.find((c) => c.sort && sortState(state.sort, c.sort) !== "none");
  const file = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");

  return (
    <div className="datalist">
      <div className="toolbar" role="toolbar" aria-label={`Actions on ${name}`}>
        <span className="muted">
          {result ? `${result.total.toLocaleString()} matching` : ""}
          {selected && selected.size > 0 ? `, ${selected.size} selected` : ""}
        </span>
        <ColumnsControl name={name} columns={columns} cols={cols} onChange={change} />
        {exportPath && (
          <>
            <a className="button" href={exportUrl(exportPath, list.spec, state, "csv")} download={`${file}.csv`}>
              Export CSV
            </a>
            <a className="button" href={exportUrl(exportPath, list.spec, state, "jsonl")} download={`${file}.jsonl`}>
              Export JSON lines
            </a>
          </>
        )}
        {actions?.(result?.total ?? null)}
      </div>
      {result?.truncated_at != null && (
        <p className="notice" role="status">
          The server stopped this list at {result.truncated_at.toLocaleString()} rows (its bound); rows beyond it were not kept.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}{" "}
          <button type="button" onClick={() => setRetry((n) => n + 1)}>
            Try again
          </button>
        </p>
      )}
      {!result && loading && !error && (
        <p className="loading" role="status">
          Loading {name}…
        </p>
      )}
      {result && (
        <div className="table-wrap">
          <table className="grid" aria-busy={loading}>
            <caption className="sr-only">
              {name}
              {sortLabel ? `, sorted by ${sortLabel.label} ${sortState(state.sort, sortLabel.sort!)}` : ""}
            </caption>
            <thead>
              <tr>
                {selection && (
                  <th scope="col" className="check">
                    <input type="checkbox" aria-label={`Select every row of ${name} on this page`} checked={allOnPage} onChange={toggleAll} />
                  </th>
                )}
                {shown.map((c) =>
                  c.sort ? (
                    <th key={c.id} scope="col" className={c.className} aria-sort={sortState(state.sort, c.sort)}>
                      <button type="button" className="sort" onClick={() => list.update({ sort: nextSort(list.spec, state.sort, c.sort!) })}>
                        {c.label}
                        <span aria-hidden="true">{{ ascending: " ▲", descending: " ▼", none: "" }[sortState(state.sort, c.sort)]}</span>
                      </button>
                    </th>
                  ) : (
                    <th key={c.id} scope="col" className={c.className}>
                      {c.label}
                    </th>
                  ),
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((row) => {
                const id = rowKey(row);
                const cls = [selected?.has(id) ? "selected" : "", rowClass?.(row) ?? ""].filter(Boolean).join(" ");
                return (
                  <tr key={id} className={cls || undefined}>
                    {selection && (
                      <td className="check">
                        <input type="checkbox" aria-label={selection.label(row)} checked={selection.selected.has(id)} onChange={() => toggle(id)} />
                      </td>
                    )}
                    {shown.map((c) => (
                      <td key={c.id} className={c.className}>
                        {c.cell(row)}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {items.length === 0 && (
            <div className="empty" role="status">
              {empty(list.filtered, list.clear)}
            </div>
          )}
        </div>
      )}
      {result && (result.total > 0 || paging.page > 0) && (
        <Pager
          page={paging.page}
          pageSize={state.limit}
          shown={items.length}
          total={result.total}
          hasNext={!!result.next_cursor}
          onPrevious={() => setPaging({ ...paging, page: Math.max(0, paging.page - 1) })}
          onNext={() => {
            const cursors = paging.cursors.slice(0, paging.page + 1);
            cursors.push(result.next_cursor ?? undefined);
            setPaging({ key, page: paging.page + 1, cursors });
          }}
        />
      )}
    </div>
  );
}

// ---------------------------------------------------------------- filters

export interface FilterField {
  key: string;
  label: string;
  // checks: one checkbox per option (list filters), applied at once;
  // select: one option (one or list filters), applied at once;
  // bool: any / yes / no; text and csv (comma-separated list): applied with the submit button.
  control: "checks" | "select" | "bool" | "text" | "csv";
  options?: { value: string; label: string }[];
  // The "any" option's text for select and bool.
  any?: string;
  placeholder?: string;
  type?: "search" | "text" | "number";
}

export function ListFilters({ list, fields, label, submitLabel = "Apply", perPage = true, search = false }: {
  list: ListHandle;
  fields: FilterField[];
  label: string;
  submitLabel?: string;
  perPage?: boolean;
  // role="search" on the form (a list whose only filter is a search).
  search?: boolean;
}) {
  const { state } = list;
  const typed = fields.filter((f) => f.control === "text" || f.control === "csv");
  const fromState = () =>
    Object.fromEntries(typed.map((f) => {
      const v = state.filters[f.key];
      return [f.key, Array.isArray(v) ? v.join(", ") : v ?? ""];
    }));
  const [text, setText] = useState<Record<string, string>>(fromState);
  const textKey = typed.map((f) => JSON.stringify(state.filters[f.key])).join("|");
  useEffect(() => {
    setText(fromState());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [textKey]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const filters: Record<string, FilterValue> = {};
    for (const f of typed) {
      const v = (text[f.key] ?? "").trim();
      filters[f.key] = f.control === "csv" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v;
    }
    list.update({ filters });
  };
  const toggleIn = (values: string[], value: string) => (values.includes(value) ? values.filter((v) => v !== value) : [...values, value]);
  return (
    <form className="filters" onSubmit={submit} aria-label={label} role={search ? "search" : undefined}>
      {fields.map((f) => {
        const v = state.filters[f.key];
        if (f.control === "checks") {
          const values = Array.isArray(v) ? v : [];
          return (
            <fieldset key={f.key}>
              <legend>{f.label}</legend>
              {f.options?.map((o) => (
                <label key={o.value} className="inline">
                  <input type="checkbox" checked={values.includes(o.value)} onChange={() => list.update({ filters: { [f.key]: toggleIn(values, o.value) } })} />
                  {o.label}
                </label>
              ))}
            </fieldset>
          );
        }
        if (f.control === "select" || f.control === "bool") {
          const current = Array.isArray(v) ? v[0] ?? "" : v ?? "";
          const options = f.control === "bool" ? [{ value: "true", label: "yes" }, { value: "false", label: "no" }] : f.options ?? [];
          const isList = Array.isArray(v);
          return (
            <label key={f.key}>
              {f.label}
              <select value={current} onChange={(e) => list.update({ filters: { [f.key]: isList ? (e.target.value ? [e.target.value] : []) : e.target.value } })}>
                <option value="">{f.any ?? "Any"}</option>
                {options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
                {current && !options.some((o) => o.value === current) && <option value={current}>{current}</option>}
              </select>
            </label>
          );
        }
        return (
          <label key={f.key}>
            {f.label}
            <input
              type={f.type ?? (f.control === "text" ? "search" : "text")}
              value={text[f.key] ?? ""}
              onChange={(e) => setText({ ...text, [f.key]: e.target.value })}
              placeholder={f.placeholder}
            />
          </label>
        );
      })}
      {perPage && (
        <label>
          Per page
          <select value={state.limit} onChange={(e) => list.update({ limit: Number(e.target.value) })}>
            {pageSizes(list.spec).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      )}
      {typed.length > 0 && (
        <button type="submit" className="primary">
          {submitLabel}
        </button>
      )}
    </form>
  );
}
