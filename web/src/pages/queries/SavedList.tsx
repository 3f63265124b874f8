// Saved queries: name, description, SQL, owner, tags, schedule and the
// caller's favourite star; search and "favourites only" kept in the URL
// (sq, sfav), paged by the server (cursor), exported whole through
// /api/v1/saved-queries/export. A saved query loads into the editor, runs on
// the chosen targets, or is deleted. Saving is the page's dialog.
import { useEffect, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../../api/client";
import { Pager, pagingReset } from "../../components/Pager";

type SavedQuery = Schemas["SavedQuery"];
const PAGE = 25;

export function savedQuery(params: URLSearchParams) {
  const q = (params.get("sq") ?? "").trim();
  return { sort: "name" as const, ...(q ? { q } : {}), ...(params.get("sfav") === "1" ? { favourite: true } : {}) };
}

export function savedExportUrl(query: ReturnType<typeof savedQuery>, format: "csv" | "jsonl"): string {
  const p = new URLSearchParams({ format, sort: query.sort });
  if (query.q) p.set("q", query.q);
  if (query.favourite) p.set("favourite", "true");
  return `/api/v1/saved-queries/export?${p.toString()}`;
}

// The schedule, when the saved query has one (the generated type of a
// `oneOf [view, null]` member is too wide to read directly).
export function scheduleOf(q: SavedQuery): Schemas["SavedQueryScheduleView"] | null {
  const s = q.schedule as Schemas["SavedQueryScheduleView"] | null;
  return s && typeof s === "object" && "query_name" in s ? s : null;
}

export function describeSchedule(q: SavedQuery): string {
  const s = scheduleOf(q);
  if (!s) return "";
  const when = s.schedule.interval_seconds ? `every ${s.schedule.interval_seconds} s` : s.schedule.daily_at?.length ? `daily at ${s.schedule.daily_at.join(", ")}` : "";
  const where = s.targets.all ? "all hosts" : [s.targets.labels.length ? `labels ${s.targets.labels.join(", ")}` : "", s.targets.host_ids.length ? `${s.targets.host_ids.length} hosts` : ""].filter(Boolean).join(" + ");
  return `${s.enabled ? "" : "(disabled) "}${when} on ${where}, ${s.mode} as ${s.query_name}`;
}

export function SavedList({
  canWrite,
  canRunOnTargets,
  reloadKey,
  onLoad,
  onRun,
}: {
  canWrite: boolean;
  canRunOnTargets: boolean;
  reloadKey: number;
  onLoad(s: SavedQuery): void;
  onRun(s: SavedQuery): void;
}) {
  const [params, setParams] = useSearchParams();
  const query = savedQuery(params);
  const key = JSON.stringify(query);
  const [text, setText] = useState(query.q ?? "");
  const [paging, setPaging] = useState(pagingReset());
  const [result, setResult] = useState<Schemas["SavedQueryList"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [confirming, setConfirming] = useState<string | null>(null);

  useEffect(() => setPaging(pagingReset()), [key]);
  useEffect(() => {
    let cancelled = false;
    const cursor = paging.cursors[paging.page];
    api.GET("/api/v1/saved-queries", { params: { query: { ...query, limit: PAGE, ...(cursor ? { cursor } : {}) } } }).then(({ data, error: e }) => {
      if (cancelled) return;
      if (data) {
        setResult(data);
        setError(null);
      } else setError(errorMessage(e, "Loading saved queries failed"));
    });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, paging, tick, reloadKey]);

  const set = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    set("sq", text.trim() || null);
  };
  const toggleFavourite = async (s: SavedQuery) => {
    const opts = { params: { path: { saved_query_id: s.id } } };
    const { error: e, response } = s.favourite
      ? await api.DELETE("/api/v1/saved-queries/{saved_query_id}/favourite", opts)
      : await api.PUT("/api/v1/saved-queries/{saved_query_id}/favourite", opts);
    if (!response.ok) setError(errorMessage(e, "Changing the favourite failed"));
    setTick((t) => t + 1);
  };
  const remove = async (s: SavedQuery) => {
    setConfirming(null);
    const { error: e, response } = await api.DELETE("/api/v1/saved-queries/{saved_query_id}", { params: { path: { saved_query_id: s.id } } });
    if (!response.ok) setError(errorMessage(e, "Deleting failed"));
    setTick((t) => t + 1);
  };
  const items = result?.items ?? [];
  const filtered = !!query.q || !!query.favourite;

  return (
    <section aria-labelledby="saved-title">
      <h2 id="saved-title">Saved queries</h2>
      <form className="filters" role="search" aria-label="Saved queries" onSubmit={search}>
        <label>
          Search saved queries
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name or description" />
        </label>
        <button type="submit">Search</button>
        <label className="inline">
          <input type="checkbox" checked={!!query.favourite} onChange={(e) => set("sfav", e.target.checked ? "1" : null)} />
          Favourites only
        </label>
        <span className="actions">
          <a className="button" href={savedExportUrl(query, "csv")} download>
            Export CSV
          </a>
          <a className="button" href={savedExportUrl(query, "jsonl")} download>
            Export JSON lines
          </a>
        </span>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">Saved queries by name</caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="sr-only">Favourite</span>
              </th>
              <th scope="col">Name</th>
              <th scope="col">SQL</th>
              <th scope="col">Owner</th>
              <th scope="col">Schedule</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.id}>
                <td>
                  <button
                    type="button"
                    className="star"
                    aria-pressed={s.favourite}
                    aria-label={`Favourite: ${s.name}`}
                    title={s.favourite ? "Remove from favourites" : "Mark as favourite"}
                    onClick={() => toggleFavourite(s)}
                  >
                    {s.favourite ? "★" : "☆"}
                  </button>
                </td>
                <td>
                  <strong>{s.name}</strong>
                  {s.description && <div className="muted small">{s.description}</div>}
                  {s.tags.length > 0 && <div className="small">{s.tags.join(", ")}</div>}
                </td>
                <td>
                  <code className="sql-text clamp">{s.sql}</code>
                </td>
                <td>{s.owner.name ?? s.owner.type}</td>
                <td className="small">{describeSchedule(s) || <span className="muted">not scheduled</span>}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => onLoad(s)} aria-label={`Open ${s.name} in the editor`}>
                    Edit
                  </button>
                  {canWrite && (
                    <button type="button" onClick={() => onRun(s)} disabled={!canRunOnTargets} aria-label={`Run ${s.name} on the chosen targets`} title={canRunOnTargets ? undefined : "Choose targets first"}>
                      Run
                    </button>
                  )}
                  {canWrite &&
                    (confirming === s.id ? (
                      <>
                        <button type="button" className="primary" onClick={() => remove(s)} aria-label={`Confirm: delete ${s.name}`}>
                          Confirm delete
                        </button>
                        <button type="button" onClick={() => setConfirming(null)}>
                          Keep
                        </button>
                      </>
                    ) : (
                      <button type="button" onClick={() => setConfirming(s.id)} aria-label={`Delete ${s.name}`}>
                        Delete
                      </button>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result && items.length === 0 && (
        <div className="empty" role="status">
          {filtered ? <p>No saved query matches. Clear the search or “Favourites only”.</p> : <p>No query is saved yet. Write SQL above and press “Save…”.</p>}
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
