// Suppressions: CVEs, rules and ports silenced on a target (all hosts, a
// label, named hosts) with a reason and an optional expiry. List (kind
// filter and search in the URL, sort, paging, export), create, edit (reason
// and expiry: what the API lets change) and delete. Checks match the
// server's; its 422 is shown next to the field it names.
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import { Time } from "../components/Time";
import { Pager } from "../components/Pager";
import { TargetFields, TargetText, cleanTarget, targetError, useHosts, type RecipeTarget } from "../components/Target";
import { usePagedList } from "../lib/usePagedList";
import { localInputToUtc } from "../lib/time";
import { VALUE_HINT, expiryError, reasonError, valueError, type SuppressionKind } from "../lib/suppressionForm";

type Suppression = Schemas["Suppression"];
type Sort = "created_at" | "-created_at" | "value" | "-value";
const SORTS: Sort[] = ["created_at", "-created_at", "value", "-value"];
const KINDS: SuppressionKind[] = ["cve", "rule", "port"];
const PAGE = 50;

function utcToLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function FieldMsg({ id, msg }: { id: string; msg?: string | null }) {
  return msg ? (
    <span id={id} className="field-error" role="alert">
      {msg}
    </span>
  ) : null;
}

export function SuppressionsTab() {
  const { session } = useSession();
  const triage = canTriage(session);
  const hosts = useHosts();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const kindParam = params.get("kind") as SuppressionKind | null;
  const kind = kindParam && KINDS.includes(kindParam) ? kindParam : null;
  const sortParam = params.get("sort") as Sort | null;
  const sort: Sort = sortParam && SORTS.includes(sortParam) ? sortParam : "-created_at";
  const [text, setText] = useState(q);
  const [editing, setEditing] = useState<Suppression | "new" | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const list = usePagedList<Suppression>(
    (cursor) =>
      api.GET("/api/v1/suppressions", {
        params: { query: { limit: PAGE, sort, ...(q ? { q } : {}), ...(kind ? { kind } : {}), ...(cursor ? { cursor } : {}) } },
      }),
    `${q}|${kind}|${sort}`,
    "suppressions",
  );
  const setUrl = (change: { q?: string; kind?: SuppressionKind | null; sort?: Sort }) => {
    const next = new URLSearchParams({ tab: "suppressions" });
    const nq = change.q ?? q;
    const nk = change.kind === undefined ? kind : change.kind;
    const ns = change.sort ?? sort;
    if (nq) next.set("q", nq);
    if (nk) next.set("kind", nk);
    if (ns !== "-created_at") next.set("sort", ns);
    setParams(next);
  };
  const exportHref = (format: "csv" | "jsonl") => {
    const p = new URLSearchParams({ format, sort });
    if (q) p.set("q", q);
    if (kind) p.set("kind", kind);
    return `/api/v1/suppressions/export?${p}`;
  };
  const remove = async (s: Suppression) => {
    const { response, error: e } = await api.DELETE("/api/v1/suppressions/{suppression_id}", { params: { path: { suppression_id: s.id } } });
    setDeleting(null);
    if (!response.ok) return setError(errorMessage(e, "Deleting failed"));
    setError(null);
    setNotice(`Deleted suppression #${s.id}: the problems it held dismissed reopen (unless another suppression covers them).`);
    list.refresh();
  };
  const sortHeader = (field: "value" | "created_at", label: string) => {
    const state = sort === field ? "ascending" : sort === `-${field}` ? "descending" : "none";
    return (
      <th scope="col" aria-sort={state}>
        <button type="button" className="sort" onClick={() => setUrl({ sort: (sort === `-${field}` ? field : `-${field}`) as Sort })}>
          {label}
        </button>
      </th>
    );
  };

  return (
    <div>
      <p className="muted">
        A suppression silences a CVE, a rule or a port on a set of hosts for a stated reason: the open problems it covers are dismissed with it, new ones are born dismissed, and they reopen
        when it expires or is deleted.
      </p>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setUrl({ q: text.trim() });
        }}
      >
        <label>
          Search suppressions
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="value or reason" />
        </label>
        <label>
          Kind
          <select value={kind ?? ""} onChange={(e) => setUrl({ kind: (e.target.value || null) as SuppressionKind | null })}>
            <option value="">any</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      <div className="toolbar" role="toolbar" aria-label="Actions on the suppressions">
        <span className="muted">{list.result ? `${list.result.total.toLocaleString()} suppression${list.result.total === 1 ? "" : "s"}` : ""}</span>
        <a className="button" href={exportHref("csv")} download="suppressions.csv">
          Export CSV
        </a>
        <a className="button" href={exportHref("jsonl")} download="suppressions.jsonl">
          Export JSON lines
        </a>
        {triage && (
          <button type="button" className="primary" onClick={() => setEditing("new")}>
            New suppression
          </button>
        )}
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {(error || list.error) && (
        <p className="error" role="alert">
          {error ?? list.error}
        </p>
      )}
      {editing && (
        <SuppressionForm
          existing={editing === "new" ? null : editing}
          hosts={hosts}
          onDone={(msg) => {
            setEditing(null);
            if (msg) {
              setNotice(msg);
              list.refresh();
            }
          }}
        />
      )}
      <div className="table-wrap">
        <table className="grid" aria-busy={list.loading}>
          <caption className="sr-only">Suppressions, sorted by {sort}</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              {sortHeader("value", "Value")}
              <th scope="col">Target</th>
              <th scope="col">Reason</th>
              <th scope="col">Expires</th>
              <th scope="col" className="num">
                Dismissed
              </th>
              {sortHeader("created_at", "Created")}
              {triage && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {list.items.map((s) => (
              <tr key={s.id}>
                <td>{s.kind}</td>
                <td>
                  <code>{s.value}</code> {!s.active && <span className="badge">expired</span>}
                </td>
                <td>
                  <TargetText target={s.target} hosts={hosts} />
                </td>
                <td className="prose">{s.reason}</td>
                <td>
                  <Time value={s.expires_at} empty="never" />
                </td>
                <td className="num">{s.dismissed}</td>
                <td>
                  <Time value={s.created_at} />
                </td>
                {triage && (
                  <td>
                    <div className="row-actions">
                      <button type="button" disabled={!s.active} title={s.active ? undefined : "An expired suppression cannot change: create a new one"} onClick={() => setEditing(s)} aria-label={`Edit suppression ${s.value}`}>
                        Edit
                      </button>
                      {deleting === s.id ? (
                        <>
                          <button type="button" className="danger" onClick={() => remove(s)}>
                            Confirm delete
                          </button>
                          <button type="button" onClick={() => setDeleting(null)}>
                            Cancel
                          </button>
                        </>
                      ) : (
                        <button type="button" onClick={() => setDeleting(s.id)} aria-label={`Delete suppression ${s.value}`}>
                          Delete
                        </button>
                      )}
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.result && list.items.length === 0 && (
        <div className="empty" role="status">
          {q || kind ? <p>No suppression matches these filters.</p> : <p>No suppression yet: every problem is shown. {triage ? "New suppression silences a CVE, rule or port on a target, with a reason." : ""}</p>}
        </div>
      )}
      {list.result && (
        <Pager page={list.pager.page} pageSize={PAGE} shown={list.items.length} total={list.result.total} hasNext={list.pager.hasNext} onPrevious={list.pager.onPrevious} onNext={list.pager.onNext} />
      )}
    </div>
  );
}

function SuppressionForm({ existing, hosts, onDone }: { existing: Suppression | null; hosts: Schemas["Host"][]; onDone(message?: string): void }) {
  const [kind, setKind] = useState<SuppressionKind>(existing?.kind ?? "port");
  const [value, setValue] = useState(existing?.value ?? "");
  const [target, setTarget] = useState<RecipeTarget>(existing?.target ?? { kind: "all" });
  const [reason, setReason] = useState(existing?.reason ?? "");
  const [expiry, setExpiry] = useState(utcToLocalInput(existing?.expires_at ?? null));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const expiresAt = localInputToUtc(expiry);
    const found: Record<string, string> = {};
    if (!existing) {
      const ve = valueError(kind, value);
      if (ve) found["/value"] = ve;
      const te = targetError(target);
      if (te) found["/target"] = te;
    }
    const re = reasonError(reason);
    if (re) found["/reason"] = re;
    const ee = expiryError(expiresAt, expiry);
    if (ee) found["/expires_at"] = ee;
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    const res = existing
      ? await api.PATCH("/api/v1/suppressions/{suppression_id}", { params: { path: { suppression_id: existing.id } }, body: { reason: reason.trim(), expires_at: expiresAt } })
      : await api.POST("/api/v1/suppressions", { body: { kind, value: value.trim(), target: cleanTarget(target), reason: reason.trim(), expires_at: expiresAt } });
    setBusy(false);
    if (res.data) {
      const d = res.data;
      return onDone(existing ? `Saved suppression #${d.id}; the ${d.dismissed} problem${d.dismissed === 1 ? "" : "s"} it holds take the new reason and expiry.` : `Created suppression #${d.id}: it dismissed ${d.dismissed} open problem${d.dismissed === 1 ? "" : "s"}.`);
    }
    const err = (res.error as { error?: { field?: string; message?: string } } | undefined)?.error;
    if (err?.field) {
      const key = ["/value", "/reason", "/expires_at"].find((f) => err.field === f) ?? (err.field.startsWith("/target") ? "/target" : null);
      if (key) return setErrors({ [key]: err.message ?? "wrong" });
    }
    setGeneral(errorMessage(res.error, "Saving the suppression failed"));
  };
  const inv = (k: string) => (errors[k] ? { "aria-invalid": true, "aria-describedby": `sup${k.replace("/", "-")}-err` } : {});

  return (
    <form className="panel" onSubmit={submit} aria-labelledby="sup-title" noValidate>
      <h3 id="sup-title">{existing ? `Edit suppression #${existing.id} (${existing.kind} ${existing.value})` : "New suppression"}</h3>
      {!existing && (
        <div className="field-grid">
          <div className="field">
            <label htmlFor="sup-kind">Kind</label>
            <select id="sup-kind" value={kind} onChange={(e) => setKind(e.target.value as SuppressionKind)}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
          <div className={`field${errors["/value"] ? " invalid" : ""}`}>
            <label htmlFor="sup-value">Value</label>
            <input id="sup-value" value={value} maxLength={128} placeholder={VALUE_HINT[kind]} onChange={(e) => setValue(e.target.value)} {...inv("/value")} />
            <span className="hint">{VALUE_HINT[kind]}</span>
            <FieldMsg id="sup-value-err" msg={errors["/value"]} />
          </div>
        </div>
      )}
      {!existing && <TargetFields value={target} onChange={setTarget} hosts={hosts} error={errors["/target"]} idPrefix="sup" />}
      <div className={`field${errors["/reason"] ? " invalid" : ""}`}>
        <label htmlFor="sup-reason">Reason (required)</label>
        <textarea id="sup-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} {...inv("/reason")} />
        <FieldMsg id="sup-reason-err" msg={errors["/reason"]} />
      </div>
      <div className={`field${errors["/expires_at"] ? " invalid" : ""}`}>
        <label htmlFor="sup-expiry">Expires (optional; your time zone)</label>
        <input id="sup-expiry" type="datetime-local" value={expiry} onChange={(e) => setExpiry(e.target.value)} {...inv("/expires_at")} />
        <FieldMsg id="sup-expires_at-err" msg={errors["/expires_at"]} />
      </div>
      {general && (
        <p className="error" role="alert">
          {general}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => onDone()}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {existing ? "Save" : "Create suppression"}
        </button>
      </div>
    </form>
  );
}
