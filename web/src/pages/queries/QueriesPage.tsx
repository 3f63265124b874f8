// The Queries page (/queries, a lazy route: CodeMirror loads only here): the
// SQL editor, the target picker with its live host count, Run (a live query
// whose rows stream into the grid below), Save (with an optional schedule
// and favourite), the history and the saved queries. Which view and which run
// are in the URL (?view=history|saved, ?run=ID), so a run can be shared. The
// SQL being edited is kept in the browser's session storage, not the URL.
import { Suspense, lazy, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../../api/client";
import { useSession } from "../../session";
import type { LiveQuery } from "../../lib/liveRun";
import { HistoryList } from "./HistoryList";
import { RunView } from "./RunView";
import { SavedList, scheduleOf } from "./SavedList";
import { NO_TARGETS, TargetPicker, choiceTargets, type TargetChoice } from "./TargetPicker";

const SqlEditor = lazy(() => import("./SqlEditor"));
const DRAFT_KEY = "warden.queries.draft";

type View = "console" | "history" | "saved";

export default function QueriesPage() {
  const { session } = useSession();
  const canRun = session?.user.role === "admin" || session?.user.role === "analyst";
  const [params, setParams] = useSearchParams();
  const view: View = params.get("view") === "history" ? "history" : params.get("view") === "saved" ? "saved" : "console";
  const runId = params.get("run");
  const [sql, setSqlState] = useState(() => sessionStorage.getItem(DRAFT_KEY) ?? "");
  const [targets, setTargets] = useState<TargetChoice>(NO_TARGETS);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [saving, setSaving] = useState(false);
  const [savedReload, setSavedReload] = useState(0);
  const [savedNote, setSavedNote] = useState<string | null>(null);

  const setSql = (v: string) => {
    setSqlState(v);
    sessionStorage.setItem(DRAFT_KEY, v);
  };
  const go = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  };
  const showRun = (q: LiveQuery) => {
    setSql(q.sql);
    go({ view: null, run: q.id });
  };
  const request = choiceTargets(targets);

  const run = async () => {
    setError(null);
    if (!sql.trim()) return setError("Write a query first.");
    if (!request) return setError("Choose the hosts to ask: all hosts, labels or named hosts.");
    setRunning(true);
    const { data, error: e } = await api.POST("/api/v1/queries", { body: { sql, targets: request, dry_run: false } });
    setRunning(false);
    if (data && !("dry_run" in data)) showRun(data);
    else setError(errorMessage(e, "Starting the query failed"));
  };
  const rerun = async (q: LiveQuery) => {
    const { data, error: e } = await api.POST("/api/v1/queries/{query_id}/rerun", { params: { path: { query_id: q.id } } });
    if (data) showRun(data);
    else setError(errorMessage(e, "Re-running failed"));
  };
  const runSaved = async (s: Schemas["SavedQuery"]) => {
    if (!request) return setError("Choose the hosts to ask first.");
    const { data, error: e } = await api.POST("/api/v1/saved-queries/{saved_query_id}/run", { params: { path: { saved_query_id: s.id } }, body: { targets: request, dry_run: false } });
    if (data && !("dry_run" in data)) showRun(data);
    else setError(errorMessage(e, `Running ${s.name} failed`));
  };

  const tab = (v: View, label: string) => (
    <li>
      <button type="button" className="tab" aria-current={view === v ? "page" : undefined} onClick={() => go({ view: v === "console" ? null : v })}>
        {label}
      </button>
    </li>
  );

  return (
    <section className="page queries">
      <h1>Queries</h1>
      <nav aria-label="Query views">
        <ul className="tabbar">
          {tab("console", "Console")}
          {tab("history", "History")}
          {tab("saved", "Saved queries")}
        </ul>
      </nav>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {savedNote && (
        <p className="notice" role="status">
          {savedNote}
        </p>
      )}
      {view === "console" && (
        <>
          <div className="console-grid">
            <div className="editor-pane">
              <span className="label-text" id="sql-label">
                SQL <span className="muted small">(Ctrl+Enter runs; Ctrl+Space suggests tables and columns)</span>
              </span>
              <Suspense fallback={<p className="loading">Loading the editor…</p>}>
                <SqlEditor value={sql} onChange={setSql} onRun={run} label="SQL" />
              </Suspense>
              <div className="toolbar">
                {canRun ? (
                  <>
                    <button type="button" className="primary" onClick={run} disabled={running}>
                      {running ? "Starting…" : "Run"}
                    </button>
                    <button type="button" onClick={() => setSaving(true)} disabled={!sql.trim()}>
                      Save…
                    </button>
                  </>
                ) : (
                  <span className="muted">Viewers read queries and their results; admins and analysts run and save them.</span>
                )}
              </div>
            </div>
            {canRun && <TargetPicker value={targets} onChange={setTargets} canCount={canRun} />}
          </div>
          {runId ? (
            <RunView key={runId} id={runId} canRun={canRun} onRerun={showRun} />
          ) : (
            <p className="empty">Results appear here: write SQL over the agent's tables (osquery's), pick targets and press Run.</p>
          )}
        </>
      )}
      {view === "history" && <HistoryList canRun={canRun} onOpen={showRun} onRerun={rerun} />}
      {view === "saved" && (
        <SavedList
          canWrite={canRun}
          canRunOnTargets={!!request}
          reloadKey={savedReload}
          onLoad={(s) => {
            setSql(s.sql);
            go({ view: null, run: null });
          }}
          onRun={runSaved}
          onHistory={(s) => go({ view: "history", "h.saved": s.id })}
        />
      )}
      {saving && (
        <SaveDialog
          sql={sql}
          targets={request}
          onClose={() => setSaving(false)}
          onSaved={(s) => {
            setSaving(false);
            setSavedReload((n) => n + 1);
            setSavedNote(`Saved as “${s.name}”${s.favourite ? " (favourite)" : ""}${scheduleOf(s) ? `, scheduled as ${scheduleOf(s)!.query_name}` : ""}.`);
          }}
        />
      )}
    </section>
  );
}

function SaveDialog({
  sql,
  targets,
  onClose,
  onSaved,
}: {
  sql: string;
  targets: Schemas["LiveQueryTargets"] | null;
  onClose(): void;
  onSaved(s: Schemas["SavedQuery"]): void;
}) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [favourite, setFavourite] = useState(false);
  const [scheduled, setScheduled] = useState(false);
  const [interval, setIntervalText] = useState("3600");
  const [mode, setMode] = useState<"differential" | "snapshot">("differential");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (scheduled && !targets) return setError("A schedule runs on the chosen targets: choose them first.");
    const seconds = Number(interval);
    if (scheduled && !(Number.isInteger(seconds) && seconds >= 1)) return setError("The interval is a whole number of seconds (at least 1).");
    setBusy(true);
    const body: Schemas["SavedQueryRequest"] = {
      name: name.trim(),
      sql,
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(scheduled && targets ? { schedule: { targets, schedule: { interval_seconds: seconds }, mode } } : {}),
    };
    const { data, error: err } = await api.POST("/api/v1/saved-queries", { body });
    if (!data) {
      setBusy(false);
      return setError(errorMessage(err, "Saving failed"));
    }
    if (favourite) {
      const { response, error: ferr } = await api.PUT("/api/v1/saved-queries/{saved_query_id}/favourite", { params: { path: { saved_query_id: data.id } } });
      if (!response.ok) {
        setBusy(false);
        return setError(errorMessage(ferr, "Saved, but marking it as a favourite failed"));
      }
    }
    onSaved({ ...data, favourite });
  };

  return (
    <div className="backdrop" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="save-title">
        <form onSubmit={submit}>
          <h2 id="save-title">Save query</h2>
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={128} autoFocus />
          </label>
          <label>
            Description
            <textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={4096} rows={2} />
          </label>
          <pre className="evidence">{sql}</pre>
          <label className="inline">
            <input type="checkbox" checked={favourite} onChange={(e) => setFavourite(e.target.checked)} />
            Favourite
          </label>
          <fieldset>
            <legend>Schedule</legend>
            <label className="inline">
              <input type="checkbox" checked={scheduled} onChange={(e) => setScheduled(e.target.checked)} />
              Run it on its own on the chosen targets
            </label>
            {scheduled && (
              <div className="filters">
                <label>
                  Every (seconds)
                  <input type="number" min={1} value={interval} onChange={(e) => setIntervalText(e.target.value)} />
                </label>
                <label>
                  Mode
                  <select value={mode} onChange={(e) => setMode(e.target.value as "differential" | "snapshot")}>
                    <option value="differential">differential (rows added and removed)</option>
                    <option value="snapshot">snapshot (every row, every run)</option>
                  </select>
                </label>
              </div>
            )}
          </fieldset>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy || !name.trim()}>
              Save
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
