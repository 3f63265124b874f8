// One live query: what ran where and its outcome, its rows streamed
// (Server-Sent Events from /stream; a finished query streams its kept rows
// the same way) into the virtualised grid, each host's state, the errors,
// Export CSV / JSON lines (the server's export of every stored row), Cancel,
// Re-run and the diff against the run it repeated. Everything from hosts is
// React text. It does not keep rows after the page is left.
import { useEffect, useState } from "react";
import { api, errorMessage, type Schemas } from "../../api/client";
import { Time } from "../../components/Time";
import { RunStore, describeOutcome, describeTargets, exportUrl, streamUrl, type LiveQuery } from "../../lib/liveRun";
import { ResultsGrid } from "./ResultsGrid";

const FLUSH_MS = 150;

type Tab = "rows" | "hosts" | "errors" | "diff";

export function RunView({ id, canRun, onRerun }: { id: string; canRun: boolean; onRerun(q: LiveQuery): void }) {
  const [store, setStore] = useState(() => new RunStore());
  const [version, setVersion] = useState(0);
  const [streamError, setStreamError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>("rows");

  useEffect(() => {
    const s = new RunStore();
    setStore(s);
    setVersion(0);
    setStreamError(null);
    setTab("rows");
    let dirty = false;
    const timer = setInterval(() => {
      if (dirty) {
        dirty = false;
        setVersion(s.version);
      }
    }, FLUSH_MS);
    const source = new EventSource(streamUrl(id));
    for (const type of ["host", "rows", "truncated", "progress", "end"]) {
      source.addEventListener(type, (e) => {
        try {
          s.apply(type, JSON.parse((e as MessageEvent<string>).data));
        } catch {
          setStreamError(`An unreadable ${type} event arrived.`);
          return;
        }
        dirty = true;
        if (type === "end") {
          source.close();
          setVersion(s.version);
        }
      });
    }
    source.onerror = () => {
      // EventSource reconnects by itself (with Last-Event-ID) unless the
      // server refused the stream; then the query's own request says why.
      if (source.readyState === EventSource.CLOSED && !s.ended) {
        api.GET("/api/v1/queries/{query_id}", { params: { path: { query_id: id } } }).then(({ error }) => {
          setStreamError(error ? errorMessage(error, "The live query cannot be read") : "The result stream closed; reload to follow it again.");
        });
      }
    };
    return () => {
      clearInterval(timer);
      source.close();
    };
  }, [id]);

  const q = store.query;
  const hosts = store.hostList();
  const errors = store.errors();

  const cancel = async () => {
    setActionError(null);
    const { data, error } = await api.POST("/api/v1/queries/{query_id}/cancel", { params: { path: { query_id: id } } });
    if (!data) setActionError(errorMessage(error, "Cancelling failed"));
  };
  const rerun = async () => {
    setActionError(null);
    const { data, error } = await api.POST("/api/v1/queries/{query_id}/rerun", { params: { path: { query_id: id } } });
    if (data) onRerun(data);
    else setActionError(errorMessage(error, "Re-running failed"));
  };

  return (
    <section className="run" aria-labelledby="run-title">
      <div className="run-head">
        <h2 id="run-title">
          Live query {id}{" "}
          <span className={`badge state-${q?.state ?? "running"}`} data-testid="run-state">
            {q ? q.state : "connecting"}
          </span>
        </h2>
        <div className="actions">
          {canRun && q?.state === "running" && (
            <button type="button" onClick={cancel}>
              Cancel
            </button>
          )}
          {canRun && q && q.state !== "running" && (
            <button type="button" onClick={rerun}>
              Re-run
            </button>
          )}
          <a className="button" href={exportUrl(id, "csv")} download>
            Export CSV
          </a>
          <a className="button" href={exportUrl(id, "jsonl")} download>
            Export JSON lines
          </a>
        </div>
      </div>
      {q && (
        <dl className="facts">
          <dt>SQL</dt>
          <dd>
            <code className="sql-text">{q.sql}</code>
          </dd>
          <dt>Run by</dt>
          <dd>
            {q.created_by.name ?? q.created_by.type} · <Time value={q.created_at} />
          </dd>
          <dt>Targets</dt>
          <dd>
            {describeTargets(q.targets, (hid) => store.hostname(hid))}
            {q.os_ids.length > 0 && ` (only ${q.os_ids.join(", ")})`}
          </dd>
          <dt>Outcome</dt>
          <dd data-testid="run-outcome">{describeOutcome(q)}</dd>
        </dl>
      )}
      {streamError && (
        <p className="error" role="alert">
          {streamError}
        </p>
      )}
      {actionError && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}
      {store.truncatedAt !== null && (
        <p className="notice" role="status">
          The results were cut at {store.truncatedAt.toLocaleString("en")} rows (the server's bound per live query,
          <code> live_queries.max_rows</code> / <code>max_bytes</code>); rows beyond it were not stored.
        </p>
      )}
      {q?.results_pruned_at && (
        <p className="notice">
          The rows of this query were deleted for retention on <Time value={q.results_pruned_at} />.
        </p>
      )}
      <div className="tabs" role="tablist" aria-label="Run views">
        {(
          [
            ["rows", `Rows (${store.rows.length.toLocaleString("en")})`],
            ["hosts", `Hosts (${hosts.length})`],
            ["errors", `Errors (${errors.length})`],
            ...(q?.rerun_of ? [["diff", "Diff with previous run"]] : []),
          ] as [Tab, string][]
        ).map(([t, label]) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} aria-controls={tab === t ? `run-${t}` : undefined} id={`run-tab-${t}`} onClick={() => setTab(t)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`run-${tab}`} aria-labelledby={`run-tab-${tab}`}>
        {tab === "rows" &&
          (store.rows.length === 0 && store.columns.length === 0 ? (
            <p className="empty">
              {store.ended
                ? "No host returned a row. See Hosts and Errors for each host's outcome."
                : "Waiting for rows: hosts answer when their agent takes the query (at once for an agent waiting on its long-poll)."}
            </p>
          ) : (
            <ResultsGrid store={store} version={version} />
          ))}
        {tab === "hosts" && <HostTable hosts={hosts} />}
        {tab === "errors" &&
          (errors.length === 0 ? (
            <p className="empty">No host failed{store.ended ? "." : " so far."}</p>
          ) : (
            <HostTable hosts={errors} />
          ))}
        {tab === "diff" && q?.rerun_of && <DiffView id={id} against={q.rerun_of} />}
      </div>
    </section>
  );
}

function HostTable({ hosts }: { hosts: Schemas["LiveQueryHost"][] }) {
  if (hosts.length === 0) return <p className="empty">No host state has arrived yet.</p>;
  return (
    <div className="table-wrap">
      <table className="grid">
        <caption className="sr-only">Each targeted host's state</caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Rows returned
            </th>
            <th scope="col" className="num">
              Rows stored
            </th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((h) => (
            <tr key={h.host_id}>
              <td>{h.hostname}</td>
              <td>
                <span className={`badge hq-${h.state}`}>{h.state}</span>
              </td>
              <td className="num">{h.returned_rows.toLocaleString("en")}</td>
              <td className="num">{h.stored_rows.toLocaleString("en")}</td>
              <td className="num">{h.duration_ms === null ? "—" : `${h.duration_ms.toLocaleString("en")} ms`}</td>
              <td>{h.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DiffView({ id, against }: { id: string; against: string }) {
  const [diff, setDiff] = useState<Schemas["LiveQueryDiff"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.GET("/api/v1/queries/{query_id}/diff", { params: { path: { query_id: id }, query: { against } } }).then(({ data, error: e }) => {
      if (data) setDiff(data);
      else setError(errorMessage(e, "The diff failed"));
    });
  }, [id, against]);
  if (error) return <p className="error">{error}</p>;
  if (!diff) return <p className="loading">Comparing with live query {against}…</p>;
  if (diff.hosts.length === 0) return <p className="empty">Same rows as live query {against} on every host that answered both.</p>;
  return (
    <div className="diff">
      <p className="muted">Compared with live query {against}: rows added (+) and removed (−) per host, whole rows.</p>
      {diff.hosts.map((h) => (
        <section key={h.host_id} aria-label={`Changes on ${h.hostname}`}>
          <h3 className="small-heading">
            {h.hostname}
            {h.only_in && <span className="muted"> — answered only in {h.only_in === "query" ? "this run" : "the previous run"}</span>}
          </h3>
          <ul className="diff-rows">
            {h.added.map((r, i) => (
              <li key={`a${i}`} className="added">
                <span aria-label="added">+</span> <code>{JSON.stringify(r)}</code>
              </li>
            ))}
            {h.removed.map((r, i) => (
              <li key={`r${i}`} className="removed">
                <span aria-label="removed">−</span> <code>{JSON.stringify(r)}</code>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
