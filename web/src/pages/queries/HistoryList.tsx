// The live query history on the shared list component: who ran what, when,
// on which targets, and the outcome, newest first; filters (state, only
// mine, one saved query's runs) and sort in the URL (prefix `h.`), server
// paging, Export of the whole filtered history. A query opens in the run view
// (its kept rows) or runs again. It does not show rows itself.
import { useCallback, useMemo } from "react";
import { api } from "../../api/client";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../../components/DataList";
import { Time } from "../../components/Time";
import { useSession } from "../../session";
import { describeOutcome, describeTargets, type LiveQuery } from "../../lib/liveRun";
import { LIVE_QUERY_LIST, LIVE_QUERY_STATES } from "../../lib/querySpecs";

type Query = QueryOf<"/api/v1/queries">;

export function HistoryList({ onOpen, onRerun, canRun }: { onOpen(q: LiveQuery): void; onRerun(q: LiveQuery): void; canRun: boolean }) {
  const list = useListState(LIVE_QUERY_LIST, "h.");
  const { session } = useSession();
  const me = session ? `user:${session.user.id}` : "";
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/queries", { params: { query: query as Query } }), []);
  const columns = useMemo<Column<LiveQuery>[]>(
    () => [
      { id: "when", label: "When", sort: "created_at", required: true, cell: (q) => <Time value={q.created_at} /> },
      { id: "who", label: "Who", cell: (q) => q.created_by.name ?? q.created_by.type },
      { id: "sql", label: "SQL", required: true, cell: (q) => <code className="sql-text clamp">{q.sql}</code> },
      { id: "targets", label: "Targets", cell: (q) => describeTargets(q.targets) },
      { id: "outcome", label: "Outcome", cell: (q) => describeOutcome(q) },
      { id: "id", label: "Id", sort: "id", shown: false, cell: (q) => q.id },
      {
        id: "actions",
        label: "Actions",
        required: true,
        className: "row-actions",
        cell: (q) => (
          <>
            <button type="button" onClick={() => onOpen(q)} aria-label={`Open live query ${q.id}`}>
              Open
            </button>
            {canRun && (
              <button type="button" onClick={() => onRerun(q)} aria-label={`Re-run live query ${q.id}`}>
                Re-run
              </button>
            )}
          </>
        ),
      },
    ],
    [onOpen, onRerun, canRun],
  );
  const mine = list.state.filters.by === me && me !== "";
  const saved = list.state.filters.saved as string;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <div className="filters">
        <ListFilters
          list={list}
          label="History filters"
          fields={[{ key: "state", label: "State", control: "checks", options: LIVE_QUERY_STATES.map((s) => ({ value: s, label: s })) }]}
        />
        <label className="inline">
          <input type="checkbox" checked={mine} onChange={(e) => list.update({ filters: { by: e.target.checked ? me : "" } })} />
          Only mine
        </label>
        {saved && (
          <span className="notice">
            Runs of saved query {saved}{" "}
            <button type="button" className="link" onClick={() => list.update({ filters: { saved: "" } })}>
              Show all
            </button>
          </span>
        )}
      </div>
      <DataList
        name="Live queries"
        prefsKey="live-queries"
        list={list}
        load={load}
        exportPath="/api/v1/queries/export"
        columns={columns}
        rowKey={(q) => q.id}
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No live query matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>No live query has run yet. Write SQL in the console, pick targets and press Run.</p>
          )
        }
      />
    </section>
  );
}
