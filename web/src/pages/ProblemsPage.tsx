// Problems: the triage page. Filters, sort and page size live in the URL;
// the list is paged by the server; Export and "all matching" bulk actions
// take the same filter (src/lib/problemFilters.ts), so they act on exactly
// what the list shows. A problem opens in a drawer (?problem=ID).
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import {
  PAGE_SIZES,
  RISK_LABELS,
  RISK_LEVELS,
  STATUSES,
  exportUrl,
  filtersFromUrl,
  filtersToUrl,
  hasFilter,
  listQuery,
  nextSort,
  sortState,
  type ProblemFilters,
  type SortField,
} from "../lib/problemFilters";
import { Time } from "../components/Time";
import { Risk, Status } from "../components/Risk";
import { Pager } from "../components/Pager";
import { ProblemDrawer } from "./ProblemDrawer";
import { BulkDialog, type BulkAction, type BulkTarget } from "./BulkDialog";

type Problem = Schemas["Problem"];
type Host = Schemas["Host"];

const COLUMNS: [SortField, string][] = [
  ["risk_level", "Risk"],
  ["title", "Problem"],
  ["hostname", "Host"],
  ["rule_id", "Rule"],
  ["status", "Status"],
  ["last_detected_at", "Last detected"],
];

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function ProblemsPage() {
  const { session } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromUrl(params), [params]);
  const openProblem = params.get("problem");
  const [paging, setPaging] = useState<{ page: number; cursors: (string | undefined)[] }>({ page: 0, cursors: [undefined] });
  const [result, setResult] = useState<Schemas["ProblemList"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulk, setBulk] = useState<{ action: BulkAction; target: BulkTarget } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [hosts, setHosts] = useState<Host[]>([]);
  const filterKey = filtersToUrl(filters).toString();

  // New filters: back to the first page, nothing selected.
  useEffect(() => {
    setPaging({ page: 0, cursors: [undefined] });
    setSelected(new Set());
  }, [filterKey]);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    api
      .GET("/api/v1/problems", { params: { query: listQuery(filters, paging.cursors[paging.page]) } })
      .then(({ data, error: e }) => {
        if (cancelled) return;
        setLoading(false);
        if (data) {
          setResult(data);
          setError(null);
        } else setError(errorMessage(e, "Loading problems failed"));
      })
      .catch((e) => {
        if (!cancelled) {
          setLoading(false);
          setError(errorMessage(e, "The server did not answer"));
        }
      });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterKey, paging, reload]);

  useEffect(() => {
    api.GET("/api/v1/hosts", { params: { query: { limit: 1000, sort: "hostname" } } }).then(({ data }) => {
      if (data) setHosts(data.items);
    });
  }, []);

  const update = useCallback(
    (change: Partial<ProblemFilters>) => {
      const next = filtersToUrl({ ...filters, ...change });
      if (openProblem) next.set("problem", openProblem);
      setParams(next);
    },
    [filters, openProblem, setParams],
  );

  const setOpenProblem = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("problem", id);
    else next.delete("problem");
    setParams(next);
  };

  const items = result?.items ?? [];
  const allOnPage = items.length > 0 && items.every((p) => selected.has(p.id));
  const toggleAll = () => {
    const next = new Set(selected);
    if (allOnPage) items.forEach((p) => next.delete(p.id));
    else items.forEach((p) => next.add(p.id));
    setSelected(next);
  };
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const triage = canTriage(session);

  return (
    <section className="page">
      <h1>Problems</h1>
      <FilterForm filters={filters} hosts={hosts} onChange={update} />

      <div className="toolbar" role="toolbar" aria-label="Actions on the list">
        <span className="muted">
          {result ? `${result.total.toLocaleString()} matching` : ""}
          {selected.size > 0 ? `, ${selected.size} selected` : ""}
        </span>
        <a className="button" href={exportUrl(filters, "csv")} download="problems.csv">
          Export CSV
        </a>
        <a className="button" href={exportUrl(filters, "jsonl")} download="problems.jsonl">
          Export JSON lines
        </a>
        {triage && (
          <>
            <button type="button" disabled={selected.size === 0} onClick={() => setBulk({ action: "dismiss", target: { ids: [...selected] } })}>
              Dismiss selected
            </button>
            <button type="button" disabled={selected.size === 0} onClick={() => setBulk({ action: "undismiss", target: { ids: [...selected] } })}>
              Undismiss selected
            </button>
            <button
              type="button"
              disabled={!hasFilter(filters) || !result?.total}
              title={hasFilter(filters) ? undefined : "Set a filter first: a bulk action never applies to every problem by accident"}
              onClick={() => setBulk({ action: "dismiss", target: { filters } })}
            >
              Dismiss all matching
            </button>
            <button
              type="button"
              disabled={!hasFilter(filters) || !result?.total}
              onClick={() => setBulk({ action: "undismiss", target: { filters } })}
            >
              Undismiss all matching
            </button>
          </>
        )}
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <div className="table-wrap">
        <table className="grid" aria-busy={loading}>
          <caption className="sr-only">Problems, sorted by {filters.sort}</caption>
          <thead>
            <tr>
              {triage && (
                <th scope="col" className="check">
                  <input type="checkbox" aria-label="Select every problem on this page" checked={allOnPage} onChange={toggleAll} />
                </th>
              )}
              {COLUMNS.map(([field, label]) => (
                <th key={field} scope="col" aria-sort={sortState(filters.sort, field)}>
                  <button type="button" className="sort" onClick={() => update({ sort: nextSort(filters.sort, field) })}>
                    {label}
                    <span aria-hidden="true">{{ ascending: " ▲", descending: " ▼", none: "" }[sortState(filters.sort, field)]}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((p: Problem) => (
              <tr key={p.id} className={selected.has(p.id) ? "selected" : undefined}>
                {triage && (
                  <td className="check">
                    <input type="checkbox" aria-label={`Select ${p.title} on ${p.hostname}`} checked={selected.has(p.id)} onChange={() => toggle(p.id)} />
                  </td>
                )}
                <td>
                  <Risk level={p.risk_level} />
                </td>
                <td>
                  <button type="button" className="link" onClick={() => setOpenProblem(p.id)}>
                    {p.title}
                  </button>
                  <div className="muted small">{p.resource}</div>
                </td>
                <td>
                  {p.host_id === null ? (
                    <span title="cloud account">{p.hostname}</span>
                  ) : (
                    <Link to={`/hosts/${encodeURIComponent(p.host_id)}`}>{p.hostname}</Link>
                  )}
                </td>
                <td>
                  <code>{p.rule_id}</code>
                </td>
                <td>
                  <Status value={p.status} />
                </td>
                <td>
                  <Time value={p.last_detected_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {result && items.length === 0 && (
          <div className="empty" role="status">
            {hasFilter(filters) ? (
              <p>
                No problem matches these filters. <button type="button" className="link" onClick={() => setParams(new URLSearchParams())}>Clear the filters</button>
              </p>
            ) : (
              <p>
                No problems yet: no enrolled host has reported one. Hosts report problems after their detectors run; see{" "}
                <Link to="/hosts">Hosts</Link> for when each last ran, or enrol one (docs/server.md).
              </p>
            )}
          </div>
        )}
      </div>
      {result && (
        <Pager
          page={paging.page}
          pageSize={filters.limit}
          shown={items.length}
          total={result.total}
          hasNext={!!result.next_cursor}
          onPrevious={() => setPaging({ ...paging, page: Math.max(0, paging.page - 1) })}
          onNext={() => {
            const cursors = paging.cursors.slice(0, paging.page + 1);
            cursors.push(result.next_cursor ?? undefined);
            setPaging({ page: paging.page + 1, cursors });
          }}
        />
      )}
      {bulk && (
        <BulkDialog
          action={bulk.action}
          target={bulk.target}
          onClose={(message) => {
            setBulk(null);
            if (message) {
              setNotice(message);
              setSelected(new Set());
              setReload((n) => n + 1);
            }
          }}
        />
      )}
      {openProblem && (
        <ProblemDrawer
          id={openProblem}
          canTriage={triage}
          onClose={() => setOpenProblem(null)}
          onChanged={() => setReload((n) => n + 1)}
        />
      )}
    </section>
  );
}

function FilterForm({ filters, hosts, onChange }: { filters: ProblemFilters; hosts: Host[]; onChange(c: Partial<ProblemFilters>): void }) {
  const [q, setQ] = useState(filters.q);
  const [rule, setRule] = useState(filters.rule.join(", "));
  const [label, setLabel] = useState(filters.label.join(", "));
  useEffect(() => {
    setQ(filters.q);
    setRule(filters.rule.join(", "));
    setLabel(filters.label.join(", "));
  }, [filters.q, filters.rule, filters.label]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ q: q.trim(), rule: splitList(rule), label: splitList(label) });
  };
  const toggleIn = <T,>(list: T[], value: T): T[] => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter problems">
      <fieldset>
        <legend>Risk</legend>
        {RISK_LEVELS.map((r) => (
          <label key={r} className="inline">
            <input type="checkbox" checked={filters.risk.includes(r)} onChange={() => onChange({ risk: toggleIn(filters.risk, r) })} />
            {RISK_LABELS[r]}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Status</legend>
        {STATUSES.map((s) => (
          <label key={s} className="inline">
            <input type="checkbox" checked={filters.status.includes(s)} onChange={() => onChange({ status: toggleIn(filters.status, s) })} />
            {s}
          </label>
        ))}
      </fieldset>
      <label>
        Host
        <select
          value={filters.host[0] ?? ""}
          onChange={(e) => onChange({ host: e.target.value ? [e.target.value] : [] })}
        >
          <option value="">All hosts</option>
          {hosts.map((h) => (
            <option key={h.id} value={h.id}>
              {h.hostname}
            </option>
          ))}
          {filters.host.filter((id) => !hosts.some((h) => h.id === id)).map((id) => (
            <option key={id} value={id}>
              host {id}
            </option>
          ))}
        </select>
      </label>
      <label>
        Rule
        <input value={rule} onChange={(e) => setRule(e.target.value)} placeholder="LNX-003, …" />
      </label>
      <label>
        Label
        <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="env=prod" />
      </label>
      <label>
        Text
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="title, host, resource" />
      </label>
      <label>
        Per page
        <select value={filters.limit} onChange={(e) => onChange({ limit: Number(e.target.value) })}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary">
        Apply
      </button>
    </form>
  );
}
