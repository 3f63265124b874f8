// The audit log (admins only), on the shared DataList: who changed what,
// when and from where, newest first (the Time header sorts), filtered by
// actor, action, object and time (all in the URL), exported whole as CSV or
// JSON lines; an entry opens its detail (?event=ID) with the before and after
// as JSON text. Nothing here changes anything.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../../api/client";
import { ACTOR_TYPES, actorText, AUDIT_LIST, rfc3339OrEmpty } from "../../lib/adminLists";
import { localInputToUtc } from "../../lib/time";
import { DataList, useListState, type Column, type ListHandle, type ListQuery, type QueryOf } from "../../components/DataList";
import { Time } from "../../components/Time";
import { Dialog } from "../../components/Dialog";

type Event = Schemas["AuditEvent"];

// An RFC 3339 time as a datetime-local value in the viewer's zone.
export function utcToLocalInput(iso: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function AuditTab() {
  const list = useListState(AUDIT_LIST);
  const [params, setParams] = useSearchParams();
  const openEvent = params.get("event");
  const load = useCallback((query: ListQuery) => {
    // A since/until typed into the URL by hand that is not a time is left out.
    const q = { ...query } as Record<string, unknown>;
    for (const k of ["since", "until"]) if (typeof q[k] === "string" && !rfc3339OrEmpty(q[k] as string)) delete q[k];
    return api.GET("/api/v1/audit", { params: { query: q as QueryOf<"/api/v1/audit"> } });
  }, []);
  const setOpen = useCallback(
    (id: string | null) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (id) next.set("event", id);
        else next.delete("event");
        return next;
      }),
    [setParams],
  );
  const update = list.update;

  const columns = useMemo<Column<Event>[]>(
    () => [
      { id: "time", label: "Time", sort: "time", required: true, cell: (e) => <Time value={e.time} /> },
      {
        id: "actor",
        label: "Actor",
        cell: (e) =>
          e.actor.id ? (
            <button type="button" className="link" title="Show only this actor's entries" onClick={() => update({ filters: { actor_type: [e.actor.type], actor_id: e.actor.id ?? "" } })}>
              {actorText(e.actor)}
            </button>
          ) : (
            actorText(e.actor)
          ),
      },
      {
        id: "action",
        label: "Action",
        required: true,
        cell: (e) => (
          <button type="button" className="link" onClick={() => setOpen(e.id)}>
            {e.action}
          </button>
        ),
      },
      { id: "object", label: "Object", cell: (e) => (e.target ? `${e.target.type}${e.target.id ? ` ${e.target.id}` : ""}` : "—") },
      { id: "from", label: "From", cell: (e) => e.source_ip ?? "—" },
      { id: "request", label: "Request id", shown: false, cell: (e) => e.request_id ?? "—" },
      { id: "status", label: "Status", className: "num", cell: (e) => <span className={e.status >= 400 ? "error" : undefined}>{e.status}</span> },
    ],
    [update, setOpen],
  );

  return (
    <div>
      <AuditFilterForm list={list} />
      <DataList
        name="Audit log"
        prefsKey="audit"
        list={list}
        load={load}
        exportPath="/api/v1/audit/export"
        columns={columns}
        rowKey={(e) => e.id}
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No entry matches these filters. Widen the time range or{" "}
              <button type="button" className="link" onClick={clear}>
                clear the filters
              </button>
              .
            </p>
          ) : (
            <p>The audit log is empty: nothing has been changed yet.</p>
          )
        }
      />
      {openEvent && <AuditEventDialog id={openEvent} onClose={() => setOpen(null)} />}
    </div>
  );
}

function AuditFilterForm({ list }: { list: ListHandle }) {
  const f = list.state.filters;
  const fromUrl = () => ({
    actorType: ((f.actor_type as string[]) ?? [])[0] ?? "",
    actorId: (f.actor_id as string) ?? "",
    action: ((f.action as string[]) ?? []).join(", "),
    targetType: (f.target_type as string) ?? "",
    targetId: (f.target_id as string) ?? "",
    since: utcToLocalInput(rfc3339OrEmpty((f.since as string) ?? "")),
    until: utcToLocalInput(rfc3339OrEmpty((f.until as string) ?? "")),
  });
  const [form, setForm] = useState(fromUrl);
  const [error, setError] = useState<string | null>(null);
  // The URL changed (back button, a click on an actor): show its filters.
  useEffect(() => {
    setForm(fromUrl());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list.key]);
  const set = (key: keyof typeof form, value: string) => setForm({ ...form, [key]: value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const since = form.since ? localInputToUtc(form.since) : "";
    const until = form.until ? localInputToUtc(form.until) : "";
    if (since === null || until === null) return setError("A time is not valid.");
    if (since && until && since >= until) return setError("“From” must be before “Until”.");
    setError(null);
    list.update({
      filters: {
        actor_type: form.actorType ? [form.actorType] : [],
        actor_id: form.actorId.trim(),
        action: [...new Set(form.action.split(/[\s,]+/).filter(Boolean))],
        target_type: form.targetType.trim(),
        target_id: form.targetId.trim(),
        since,
        until,
      },
    });
  };
  return (
    <form className="filters" role="search" aria-label="Audit log filters" onSubmit={submit}>
      <label>
        Actor type
        <select value={form.actorType} onChange={(e) => set("actorType", e.target.value)}>
          <option value="">any</option>
          {ACTOR_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Actor id
        <input value={form.actorId} onChange={(e) => set("actorId", e.target.value)} size={8} />
      </label>
      <label>
        Action
        <input value={form.action} onChange={(e) => set("action", e.target.value)} placeholder="createToken, updateUser" size={22} />
      </label>
      <label>
        Object type
        <input value={form.targetType} onChange={(e) => set("targetType", e.target.value)} placeholder="api_token" size={12} />
      </label>
      <label>
        Object id
        <input value={form.targetId} onChange={(e) => set("targetId", e.target.value)} size={10} />
      </label>
      <label>
        From
        <input type="datetime-local" value={form.since} onChange={(e) => set("since", e.target.value)} />
      </label>
      <label>
        Until
        <input type="datetime-local" value={form.until} onChange={(e) => set("until", e.target.value)} />
      </label>
      <button type="submit" className="primary">
        Filter
      </button>
      <button type="button" onClick={list.clear}>
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
