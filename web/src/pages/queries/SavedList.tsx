// Saved queries on the shared list component: name, description, SQL,
// owner, tags, schedule and the caller's favourite star; search, favourites,
// scheduled and tag filters and sort in the URL (prefix `s.`), server paging,
// Export of the whole filtered list. A saved query loads into the editor,
// runs on the chosen targets, shows its runs in the history, or is deleted
// (after a second click). Saving is the page's dialog.
import { useCallback, useMemo, useState } from "react";
import { api, errorMessage, type Schemas } from "../../api/client";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../../components/DataList";
import { Time } from "../../components/Time";
import { SAVED_QUERY_LIST } from "../../lib/querySpecs";

type SavedQuery = Schemas["SavedQuery"];
type Query = QueryOf<"/api/v1/saved-queries">;

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
  const where = s.targets.all
    ? "all hosts"
    : [s.targets.labels.length ? `labels ${s.targets.labels.join(", ")}` : "", s.targets.host_ids.length ? `${s.targets.host_ids.length} hosts` : ""].filter(Boolean).join(" + ");
  return `${s.enabled ? "" : "(disabled) "}${when} on ${where}, ${s.mode}, as ${s.query_name}`;
}

export function SavedList({
  canWrite,
  canRunOnTargets,
  reloadKey,
  onLoad,
  onRun,
  onHistory,
}: {
  canWrite: boolean;
  canRunOnTargets: boolean;
  reloadKey: number;
  onLoad(s: SavedQuery): void;
  onRun(s: SavedQuery): void;
  onHistory(s: SavedQuery): void;
}) {
  const list = useListState(SAVED_QUERY_LIST, "s.");
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [confirming, setConfirming] = useState<string | null>(null);
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/saved-queries", { params: { query: query as Query } }), []);

  const toggleFavourite = useCallback(async (s: SavedQuery) => {
    const opts = { params: { path: { saved_query_id: s.id } } };
    const { error: e, response } = s.favourite
      ? await api.DELETE("/api/v1/saved-queries/{saved_query_id}/favourite", opts)
      : await api.PUT("/api/v1/saved-queries/{saved_query_id}/favourite", opts);
    setError(response.ok ? null : errorMessage(e, "Changing the favourite failed"));
    setTick((t) => t + 1);
  }, []);
  const remove = useCallback(async (s: SavedQuery) => {
    setConfirming(null);
    const { error: e, response } = await api.DELETE("/api/v1/saved-queries/{saved_query_id}", { params: { path: { saved_query_id: s.id } } });
    setError(response.ok ? null : errorMessage(e, "Deleting failed"));
    setTick((t) => t + 1);
  }, []);

  const columns = useMemo<Column<SavedQuery>[]>(
    () => [
      {
        id: "favourite",
        label: "Favourite",
        required: true,
        cell: (s) => (
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
        ),
      },
      {
        id: "name",
        label: "Name",
        sort: "name",
        required: true,
        cell: (s) => (
          <>
            <strong>{s.name}</strong>
            {s.description && <div className="muted small">{s.description}</div>}
            {s.tags.length > 0 && <div className="small">{s.tags.join(", ")}</div>}
          </>
        ),
      },
      { id: "sql", label: "SQL", cell: (s) => <code className="sql-text clamp">{s.sql}</code> },
      { id: "owner", label: "Owner", cell: (s) => s.owner.name ?? s.owner.type },
      { id: "schedule", label: "Schedule", cell: (s) => describeSchedule(s) || <span className="muted">not scheduled</span> },
      { id: "updated", label: "Changed", sort: "updated_at", shown: false, cell: (s) => <Time value={s.updated_at} /> },
      { id: "created", label: "Saved", sort: "created_at", shown: false, cell: (s) => <Time value={s.created_at} /> },
      {
        id: "actions",
        label: "Actions",
        required: true,
        className: "row-actions",
        cell: (s) => (
          <>
            <button type="button" onClick={() => onLoad(s)} aria-label={`Open ${s.name} in the editor`}>
              Edit
            </button>
            {canWrite && (
              <button
                type="button"
                onClick={() => onRun(s)}
                disabled={!canRunOnTargets}
                aria-label={`Run ${s.name} on the chosen targets`}
                title={canRunOnTargets ? undefined : "Choose targets in the console first"}
              >
                Run
              </button>
            )}
            <button type="button" onClick={() => onHistory(s)} aria-label={`Runs of ${s.name}`}>
              Runs
            </button>
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
          </>
        ),
      },
    ],
    [canWrite, canRunOnTargets, confirming, onLoad, onRun, onHistory, toggleFavourite, remove],
  );

  return (
    <section aria-labelledby="saved-title">
      <h2 id="saved-title">Saved queries</h2>
      <ListFilters
        list={list}
        label="Saved query filters"
        submitLabel="Search"
        fields={[
          { key: "q", label: "Search saved queries", control: "text", placeholder: "name or description" },
          { key: "fav", label: "Favourites", control: "bool", any: "All" },
          { key: "scheduled", label: "Scheduled", control: "bool", any: "All" },
          { key: "tag", label: "Tags", control: "csv", placeholder: "tag, tag" },
        ]}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <DataList
        name="Saved queries"
        prefsKey="saved-queries"
        list={list}
        load={load}
        reload={tick + reloadKey}
        exportPath="/api/v1/saved-queries/export"
        columns={columns}
        rowKey={(s) => s.id}
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No saved query matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>No query is saved yet. Write SQL in the console and press “Save…”.</p>
          )
        }
      />
    </section>
  );
}
