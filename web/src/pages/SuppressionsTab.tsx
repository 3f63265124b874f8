// Suppressions: CVEs, rules and ports silenced on a target (all hosts, a
// label, named hosts) with a reason and an optional expiry. List (kind
// filter and search in the URL, sort, paging, export, on the shared list
// component), create, edit (reason
// and expiry: what the API lets change) and delete. Checks match the
// server's; its 422 is shown next to the field it names.
import { useCallback, useState, type FormEvent } from "react";
import { api, errorMessage, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import { Time } from "../components/Time";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";
import { SUPPRESSION_KINDS, SUPPRESSION_LIST } from "../lib/recipeCloudSpecs";
import { TargetFields, TargetText, cleanTarget, targetError, useHosts, type RecipeTarget } from "../components/Target";
import { localInputToUtc } from "../lib/time";
import { VALUE_HINT, expiryError, reasonError, valueError, type SuppressionKind } from "../lib/suppressionForm";

type Suppression = Schemas["Suppression"];
const KINDS: SuppressionKind[] = [...SUPPRESSION_KINDS];

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

type SuppressionQuery = QueryOf<"/api/v1/suppressions">;

export function SuppressionsTab() {
  const { session } = useSession();
  const triage = canTriage(session);
  const hosts = useHosts();
  const list = useListState(SUPPRESSION_LIST);
  const [editing, setEditing] = useState<Suppression | "new" | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/suppressions", { params: { query: query as SuppressionQuery } }), []);

  const remove = async (s: Suppression) => {
    const { response, error: e } = await api.DELETE("/api/v1/suppressions/{suppression_id}", { params: { path: { suppression_id: s.id } } });
    setDeleting(null);
    if (!response.ok) return setError(errorMessage(e, "Deleting failed"));
    setError(null);
    setNotice(`Deleted suppression #${s.id}: the problems it held dismissed reopen (unless another suppression covers them).`);
    setReload((n) => n + 1);
  };
  const columns: Column<Suppression>[] = [
    { id: "kind", label: "Kind", cell: (s) => s.kind },
    {
      id: "value",
      label: "Value",
      sort: "value",
      required: true,
      cell: (s) => (
        <>
          <code>{s.value}</code> {!s.active && <span className="badge">expired</span>}
        </>
      ),
    },
    { id: "target", label: "Target", cell: (s) => <TargetText target={s.target} hosts={hosts} /> },
    { id: "reason", label: "Reason", className: "prose", cell: (s) => s.reason },
    { id: "expires", label: "Expires", cell: (s) => <Time value={s.expires_at} empty="never" /> },
    { id: "dismissed", label: "Dismissed", className: "num", cell: (s) => s.dismissed },
    { id: "created", label: "Created", sort: "created_at", cell: (s) => <Time value={s.created_at} /> },
    { id: "by", label: "By", shown: false, cell: (s) => s.created_by.name ?? s.created_by.type },
  ];
  if (triage)
    columns.push({
      id: "actions",
      label: "Actions",
      required: true,
      cell: (s) => (
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
      ),
    });

  return (
    <div>
      <p className="muted">
        A suppression silences a CVE, a rule or a port on a set of hosts for a stated reason: the open problems it covers are dismissed with it, new ones are born dismissed, and they reopen
        when it expires or is deleted.
      </p>
      <ListFilters
        list={list}
        label="Suppression filters"
        submitLabel="Search"
        fields={[
          { key: "kind", label: "Kind", control: "select", any: "any", options: SUPPRESSION_KINDS.map((k) => ({ value: k, label: k })) },
          { key: "q", label: "Search suppressions", control: "text", placeholder: "value or reason" },
        ]}
      />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
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
              setReload((n) => n + 1);
            }
          }}
        />
      )}
      <DataList
        name="Suppressions"
        prefsKey="suppressions"
        list={list}
        load={load}
        exportPath="/api/v1/suppressions/export"
        columns={columns}
        rowKey={(s) => s.id}
        reload={reload}
        actions={() =>
          triage && (
            <button type="button" className="primary" onClick={() => setEditing("new")}>
              New suppression
            </button>
          )
        }
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No suppression matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>No suppression yet: every problem is shown. {triage ? "New suppression silences a CVE, rule or port on a target, with a reason." : ""}</p>
          )
        }
      />
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
