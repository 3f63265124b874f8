// The live query history: who ran what, when, on which targets, and the
// outcome, newest first, paged by the server (cursor), filtered by state and
// "mine" (kept in the URL: hstate, hmine), exported whole through
// /api/v1/queries/export. A query opens in the run view (its kept rows) or
// runs again. It does not show rows itself.
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../../api/client";
import { Pager, pagingReset } from "../../components/Pager";
import { Time } from "../../components/Time";
import { useSession } from "../../session";
import { describeOutcome, describeTargets, type LiveQuery } from "../../lib/liveRun";

const PAGE = 25;
const STATES = ["running", "done", "cancelled"] as const;
type State = (typeof STATES)[number];

export function historyQuery(params: URLSearchParams, userId: string | null) {
  const state = (params.get("hstate") ?? "").split(",").filter((s): s is State => (STATES as readonly string[]).includes(s));
  const mine = params.get("hmine") === "1" && userId !== null;
  return {
    sort: "-created_at" as const,
    ...(state.length ? { state } : {}),
    ...(mine ? { created_by: `user:${userId}` } : {}),
  };
}

export function historyExportUrl(query: ReturnType<typeof historyQuery>, format: "csv" | "jsonl"): string {
  const p = new URLSearchParams({ format, sort: query.sort });
  if (query.state) p.set("state", query.state.join(","));
  if (query.created_by) p.set("created_by", query.created_by);
  return `/api/v1/queries/export?${p.toString()}`;
}

export function HistoryList({ onOpen, onRerun, canRun }: { onOpen(q: LiveQuery): void; onRerun(q: LiveQuery): void; canRun: boolean }) {
  const [params, setParams] = useSearchParams();
  const { session } = useSession();
  const query = historyQuery(params, session?.user.id ?? null);
  const key = JSON.stringify(query);
  const [paging, setPaging] = useState(pagingReset());
  const [result, setResult] = useState<Schemas["LiveQueryList"] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => setPaging(pagingReset()), [key]);
  useEffect(() => {
    let cancelled = false;
    const cursor = paging.cursors[paging.page];
    api.GET("/api/v1/queries", { params: { query: { ...query, limit: PAGE, ...(cursor ? { cursor } : {}) } } }).then(({ data, error: e }) => {
      if (cancelled) return;
      if (data) {
        setResult(data);
        setError(null);
      } else setError(errorMessage(e, "Loading the history failed"));
    });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, paging]);

  const set = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const states = query.state ?? [];
  const items = result?.items ?? [];
  const filtered = states.length > 0 || !!query.created_by;

  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <div className="filters">
        <fieldset>
          <legend>State</legend>
          {STATES.map((s) => (
            <label className="inline" key={s}>
              <input
                type="checkbox"
                checked={states.includes(s)}
                onChange={() => set("hstate", (states.includes(s) ? states.filter((x) => x !== s) : [...states, s]).join(",") || null)}
              />
              {s}
            </label>
          ))}
        </fieldset>
        <label className="inline">
          <input type="checkbox" checked={!!query.created_by} onChange={(e) => set("hmine", e.target.checked ? "1" : null)} />
          Only mine
        </label>
        <span className="actions">
          <a className="button" href={historyExportUrl(query, "csv")} download>
            Export CSV
          </a>
          <a className="button" href={historyExportUrl(query, "jsonl")} download>
            Export JSON lines
          </a>
        </span>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">Live queries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">SQL</th>
              <th scope="col">Targets</th>
              <th scope="col">Outcome</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((q) => (
              <tr key={q.id}>
                <td>
                  <Time value={q.created_at} />
                </td>
                <td>{q.created_by.name ?? q.created_by.type}</td>
                <td>
                  <code className="sql-text clamp">{q.sql}</code>
                </td>
                <td>{describeTargets(q.targets)}</td>
                <td>{describeOutcome(q)}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => onOpen(q)} aria-label={`Open live query ${q.id}`}>
                    Open
                  </button>
                  {canRun && (
                    <button type="button" onClick={() => onRerun(q)} aria-label={`Re-run live query ${q.id}`}>
                      Re-run
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result && items.length === 0 && (
        <div className="empty" role="status">
          {filtered ? <p>No live query matches these filters. Clear them to see every query.</p> : <p>No live query has run yet. Write SQL above, pick targets and press Run.</p>}
        </div>
      )}
      {result && (
        <Pager
          page={paging.page}
          pageSize={PAGE}
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
    </section>
  );
}
