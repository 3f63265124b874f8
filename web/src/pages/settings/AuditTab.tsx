// The audit log (admins only): who changed what, when and from where,
// newest first, filtered by actor, action, object and time (all in the URL),
// exported whole as CSV or JSON lines; an entry opens its detail (?event=ID)
// with the before and after as JSON text. Nothing here changes anything.
import { useEffect, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../../api/client";
import { useCursorList } from "../../lib/useCursorList";
import { ACTOR_TYPES, actorText, auditExportUrl, auditFromUrl, auditHasFilter, auditQuery, auditToUrl, EMPTY_AUDIT, type AuditFilters } from "../../lib/audit";
import { localInputToUtc } from "../../lib/time";
import { Pager } from "../../components/Pager";
import { Time } from "../../components/Time";
import { Dialog } from "../../components/Dialog";
import { ExportLinks } from "../../components/ExportLinks";

type Event = Schemas["AuditEvent"];
const PAGE = 50;

// An RFC 3339 time as a datetime-local value in the viewer's zone.
function utcToLocalInput(iso: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function AuditTab() {
  const [params, setParams] = useSearchParams();
  const filters = auditFromUrl(params);
  const key = auditToUrl(filters).toString();
  const openEvent = params.get("event");

  const list = useCursorList<Event>(
    (cursor) => api.GET("/api/v1/audit", { params: { query: { ...auditQuery(filters), limit: PAGE, ...(cursor ? { cursor } : {}) } } }),
    key,
    "the audit log",
  );
  const apply = (f: AuditFilters) => setParams(auditToUrl(f));
  const setOpen = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("event", id);
    else next.delete("event");
    setParams(next);
  };

  const items = list.result?.items ?? [];
  return (
    <div>
      <AuditFilterForm filters={filters} onApply={apply} />
      <div className="toolbar">
        <span className="muted">
          {list.result ? `${list.result.total.toLocaleString()} entr${list.result.total === 1 ? "y" : "ies"}${auditHasFilter(filters) ? " matching" : ""}` : "Loading…"}
        </span>
        <ExportLinks name="audit" csv={auditExportUrl(filters, "csv")} jsonl={auditExportUrl(filters, "jsonl")} />
      </div>
      {list.error && (
        <p className="error" role="alert">
          {list.error}
        </p>
      )}
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">Audit log, {filters.oldestFirst ? "oldest" : "newest"} first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Object</th>
              <th scope="col">From</th>
              <th scope="col" className="num">Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>
                  <Time value={e.time} />
                </td>
                <td>
                  {e.actor.id ? (
                    <button
                      type="button"
                      className="link"
                      title="Show only this actor's entries"
                      onClick={() => apply({ ...filters, actorType: [e.actor.type], actorId: e.actor.id ?? "" })}
                    >
                      {actorText(e.actor)}
                    </button>
                  ) : (
                    actorText(e.actor)
                  )}
                </td>
                <td>
                  <button type="button" className="link" onClick={() => setOpen(e.id)}>
                    {e.action}
                  </button>
                </td>
                <td>{e.target ? `${e.target.type}${e.target.id ? ` ${e.target.id}` : ""}` : "—"}</td>
                <td>{e.source_ip ?? "—"}</td>
                <td className="num">
                  <span className={e.status >= 400 ? "error" : undefined}>{e.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.result && items.length === 0 && (
          <div className="empty" role="status">
            <p>{auditHasFilter(filters) ? "No entry matches these filters. Widen the time range or clear the filters." : "The audit log is empty: nothing has been changed yet."}</p>
          </div>
        )}
      </div>
      {list.result && (
        <Pager page={list.page} pageSize={PAGE} shown={items.length} total={list.result.total} hasNext={!!list.result.next_cursor} onPrevious={list.previous} onNext={list.next} />
      )}
      {openEvent && <AuditEventDialog id={openEvent} onClose={() => setOpen(null)} />}
    </div>
  );
}

function AuditFilterForm({ filters, onApply }: { filters: AuditFilters; onApply(f: AuditFilters): void }) {
  const [actorType, setActorType] = useState(filters.actorType.join(","));
  const [actorId, setActorId] = useState(filters.actorId);
  const [action, setAction] = useState(filters.action.join(", "));
  const [targetType, setTargetType] = useState(filters.targetType);
  const [targetId, setTargetId] = useState(filters.targetId);
  const [since, setSince] = useState(utcToLocalInput(filters.since));
  const [until, setUntil] = useState(utcToLocalInput(filters.until));
  const [oldestFirst, setOldestFirst] = useState(filters.oldestFirst);
  const [error, setError] = useState<string | null>(null);

  // The URL changed (back button, a click on an actor): show its filters.
  useEffect(() => {
    setActorType(filters.actorType.join(","));
    setActorId(filters.actorId);
    setAction(filters.action.join(", "));
    setTargetType(filters.targetType);
    setTargetId(filters.targetId);
    setSince(utcToLocalInput(filters.since));
    setUntil(utcToLocalInput(filters.until));
    setOldestFirst(filters.oldestFirst);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [auditToUrl(filters).toString()]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const s = since ? localInputToUtc(since) : "";
    const u = until ? localInputToUtc(until) : "";
    if (s === null || u === null) return setError("A time is not valid.");
    if (s && u && s >= u) return setError("“From” must be before “until”.");
    setError(null);
    onApply({
      actorType: actorType ? (actorType.split(",") as AuditFilters["actorType"]) : [],
      actorId: actorId.trim(),
      action: [...new Set(action.split(/[\s,]+/).filter(Boolean))],
      targetType: targetType.trim(),
      targetId: targetId.trim(),
      since: s,
      until: u,
      oldestFirst,
    });
  };
  return (
    <form className="filters" role="search" aria-label="Audit log filters" onSubmit={submit}>
      <label>
        Actor type
        <select value={actorType} onChange={(e) => setActorType(e.target.value)}>
          <option value="">any</option>
          {ACTOR_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Actor id
        <input value={actorId} onChange={(e) => setActorId(e.target.value)} size={8} />
      </label>
      <label>
        Action
        <input value={action} onChange={(e) => setAction(e.target.value)} placeholder="createToken, updateUser" size={22} />
      </label>
      <label>
        Object type
        <input value={targetType} onChange={(e) => setTargetType(e.target.value)} placeholder="api_token" size={12} />
      </label>
      <label>
        Object id
        <input value={targetId} onChange={(e) => setTargetId(e.target.value)} size={10} />
      </label>
      <label>
        From
        <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
      </label>
      <label>
        Until
        <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
      </label>
      <label className="inline">
        <input type="checkbox" checked={oldestFirst} onChange={(e) => setOldestFirst(e.target.checked)} />
        Oldest first
      </label>
      <button type="submit" className="primary">
        Filter
      </button>
      <button type="button" onClick={() => onApply(EMPTY_AUDIT)}>
        Clear
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function AuditEventDialog({ id, onClose }: { id: string; onClose(): void }) {
  const [event, setEvent] = useState<Event | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    api.GET("/api/v1/audit/{event_id}", { params: { path: { event_id: id } } }).then(({ data, error: e }) => {
      if (cancelled) return;
      if (data) setEvent(data);
      else setError(errorMessage(e, "Loading the entry failed"));
    });
    return () => {
      cancelled = true;
    };
  }, [id]);
  return (
    <Dialog title={event ? `${event.action} by ${actorText(event.actor)}` : "Audit entry"} onClose={onClose} wide>
      <div className="stack">
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {event && (
          <>
            <dl className="facts">
              <dt>Time</dt>
              <dd>
                <Time value={event.time} />
              </dd>
              <dt>Actor</dt>
              <dd>
                {actorText(event.actor)}
                {event.actor.id ? ` (id ${event.actor.id})` : ""}
              </dd>
              <dt>Action</dt>
              <dd>{event.action}</dd>
              <dt>Object</dt>
              <dd>{event.target ? `${event.target.type} ${event.target.id ?? ""}` : "—"}</dd>
              <dt>From</dt>
              <dd>{event.source_ip ?? "—"}</dd>
              <dt>Request</dt>
              <dd>{event.request_id ?? "—"}</dd>
              <dt>Answer</dt>
              <dd>HTTP {event.status}</dd>
            </dl>
            <h3>Before</h3>
            <pre className="evidence">{event.before ? JSON.stringify(event.before, null, 2) : "—"}</pre>
            <h3>After</h3>
            <pre className="evidence">{event.after ? JSON.stringify(event.after, null, 2) : "—"}</pre>
          </>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </Dialog>
  );
}
