// One problem: what was found (the finding's evidence), how to fix it,
// links, its dismissal and its whole history. Host and finding values are
// rendered as text only.
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { safeHref } from "../lib/problemFilters";
import { Time } from "../components/Time";
import { Risk, Status } from "../components/Risk";
import { BulkDialog, type BulkAction } from "./BulkDialog";

type Problem = Schemas["Problem"];
type HistoryEntry = Schemas["ProblemHistoryEntry"];

export function ProblemDrawer({ id, canTriage, onClose, onChanged }: { id: string; canTriage: boolean; onClose(): void; onChanged(): void }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState<BulkAction | null>(null);
  const [reload, setReload] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let cancelled = false;
    const path = { problem_id: id };
    Promise.all([
      api.GET("/api/v1/problems/{problem_id}", { params: { path } }),
      api.GET("/api/v1/problems/{problem_id}/history", { params: { path, query: { limit: 1000, sort: "-revision" } } }),
    ]).then(([p, h]) => {
      if (cancelled) return;
      if (p.data) setProblem(p.data);
      else setError(errorMessage(p.error, "Loading the problem failed"));
      if (h.data) setHistory(h.data.items);
    });
    return () => {
      cancelled = true;
    };
  }, [id, reload]);

  useEffect(() => {
    heading.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && !action && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose, action, problem]);

  return (
    <div className="backdrop drawer-backdrop">
      <aside className="drawer" role="dialog" aria-modal="true" aria-labelledby="drawer-title">
        <div className="drawer-head">
          <h2 id="drawer-title" ref={heading} tabIndex={-1}>
            {problem ? problem.title : "Problem"}
          </h2>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {problem && (
          <>
            <dl className="facts">
              <dt>Risk</dt>
              <dd>
                <Risk level={problem.risk_level} />
              </dd>
              <dt>Status</dt>
              <dd>
                <Status value={problem.status} />
              </dd>
              <dt>{problem.host_id === null ? "Cloud account" : "Host"}</dt>
              <dd>
                {problem.host_id === null ? (
                  problem.hostname
                ) : (
                  <Link to={`/hosts/${encodeURIComponent(problem.host_id)}`}>{problem.hostname}</Link>
                )}
              </dd>
              <dt>Rule</dt>
              <dd>
                <code>{problem.rule_id}</code>
              </dd>
              <dt>Resource</dt>
              <dd>{problem.resource}</dd>
              <dt>First detected</dt>
              <dd>
                <Time value={problem.first_detected_at} />
              </dd>
              <dt>Last detected</dt>
              <dd>
                <Time value={problem.last_detected_at} />
              </dd>
              {problem.resolved_at && (
                <>
                  <dt>Resolved</dt>
                  <dd>
                    <Time value={problem.resolved_at} />
                  </dd>
                </>
              )}
            </dl>
            {problem.dismissal && (
              <div className="notice">
                Dismissed by {problem.dismissal.by.name ?? problem.dismissal.by.type} (<Time value={problem.dismissal.at} />)
                {problem.dismissal.until ? (
                  <>
                    {" "}
                    until <Time value={problem.dismissal.until} />
                  </>
                ) : (
                  " with no expiry"
                )}
                : “{problem.dismissal.comment}”
              </div>
            )}
            {canTriage && (
              <div className="actions">
                {problem.status !== "dismissed" ? (
                  <button type="button" onClick={() => setAction("dismiss")}>
                    Dismiss…
                  </button>
                ) : (
                  <button type="button" onClick={() => setAction("undismiss")}>
                    Undismiss…
                  </button>
                )}
              </div>
            )}
            {problem.description && (
              <section>
                <h3>Description</h3>
                <p className="prose">{problem.description}</p>
              </section>
            )}
            <section>
              <h3>Remediation</h3>
              {problem.remediation ? <p className="prose">{problem.remediation}</p> : <p className="muted">The rule gives no remediation.</p>}
            </section>
            <section>
              <h3>Links</h3>
              {problem.links.length === 0 ? (
                <p className="muted">No links for this problem.</p>
              ) : (
                <ul>
                  {problem.links.map((l) => {
                    const href = safeHref(l);
                    return <li key={l}>{href ? <a href={href} target="_blank" rel="noopener noreferrer">{l}</a> : l}</li>;
                  })}
                </ul>
              )}
            </section>
            <section>
              <h3>Evidence</h3>
              <pre className="evidence" tabIndex={0} aria-label="The latest finding">{JSON.stringify(problem.finding, null, 2)}</pre>
              {problem.details && problem.details.length > 0 && (
                <details>
                  <summary>{problem.details.length} detail findings</summary>
                  <pre className="evidence" tabIndex={0}>{JSON.stringify(problem.details, null, 2)}</pre>
                </details>
              )}
            </section>
          </>
        )}
        <section>
          <h3>History</h3>
          {history === null ? (
            <p className="muted">Loading…</p>
          ) : history.length === 0 ? (
            <p className="muted">No history recorded.</p>
          ) : (
            <table className="grid history">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Who</th>
                  <th scope="col">Comment</th>
                </tr>
              </thead>
              <tbody>
                {history.map((h) => (
                  <tr key={h.revision}>
                    <td>
                      <Time value={h.at} />
                    </td>
                    <td>{h.action.replace("_", " ")}</td>
                    <td>{h.actor.name ?? h.actor.type}</td>
                    <td>{h.comment ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </aside>
      {action && problem && (
        <BulkDialog
          action={action}
          target={{ ids: [problem.id] }}
          onClose={(message) => {
            setAction(null);
            if (message) {
              setReload((n) => n + 1);
              onChanged();
            }
          }}
        />
      )}
    </div>
  );
}
