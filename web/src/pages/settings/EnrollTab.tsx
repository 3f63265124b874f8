// Enrol secrets (admins only): the list with search and state filter in the
// URL; create (name, labels, expiry), rotate (with a grace period) and
// revoke. A new secret is shown once with the command that enrols a host:
// this console's server URL and the CA fingerprint from /api/v1/agent/ca's
// X-Warden-Ca-Fingerprint header. The list never has the secrets.
import { useEffect, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../../api/client";
import { useCursorList } from "../../lib/useCursorList";
import { localInputToUtc } from "../../lib/time";
import { enrolCommand, validFingerprint } from "../../lib/enrol";
import { actorText } from "../../lib/audit";
import { Pager } from "../../components/Pager";
import { Time } from "../../components/Time";
import { Dialog } from "../../components/Dialog";
import { CopyField } from "../../components/CopyField";
import { Confirm, SecretOnce } from "../../components/SecretOnce";
import { ExportLinks, exportHref } from "../../components/ExportLinks";

type Secret = Schemas["EnrollSecret"];
type State = Schemas["CredentialState"];
const STATES: State[] = ["active", "expired", "revoked"];
const PAGE = 50;
const GRACES: [string, number][] = [
  ["none: revoke the old one now", 0],
  ["1 hour", 3600],
  ["1 day", 86400],
  ["7 days", 7 * 86400],
  ["30 days", 30 * 86400],
];

function useFingerprint(): { value: string | null; error: string | null } {
  const [state, setState] = useState<{ value: string | null; error: string | null }>({ value: null, error: null });
  useEffect(() => {
    api.GET("/api/v1/agent/ca", { parseAs: "text" }).then(
      ({ response }) => {
        const value = validFingerprint(response.headers.get("X-Warden-Ca-Fingerprint"));
        setState({ value, error: value ? null : "The server did not give its CA fingerprint." });
      },
      () => setState({ value: null, error: "The server's CA could not be read." }),
    );
  }, []);
  return state;
}

export function EnrollTab() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const state = STATES.find((s) => s === params.get("state"));
  const [text, setText] = useState(q);
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<Secret | null>(null);
  const [revoking, setRevoking] = useState<Secret | null>(null);
  const [shown, setShown] = useState<{ title: string; secret: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fingerprint = useFingerprint();
  const server = window.location.origin;

  const query = { sort: "-created_at" as const, ...(q ? { q } : {}), ...(state ? { state: [state] } : {}) };
  const list = useCursorList<Secret>(
    (cursor) => api.GET("/api/v1/enroll-secrets", { params: { query: { ...query, limit: PAGE, ...(cursor ? { cursor } : {}) } } }),
    `${q}|${state ?? ""}`,
    "enrol secrets",
  );
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };
  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/enroll-secrets/{secret_id}/revoke", { params: { path: { secret_id: revoking.id } } });
    setBusy(false);
    if (data) {
      setNotice(`Revoked ${data.name}: enrolments with it are refused; hosts enrolled with it stay.`);
      setRevoking(null);
      setFailure(null);
      list.reload();
    } else setFailure(errorMessage(error, "Revoking failed"));
  };

  const items = list.result?.items ?? [];
  return (
    <div>
      <p className="muted">
        An agent joins with an enrol secret and the server's CA fingerprint
        {fingerprint.value ? (
          <>
            {" "}
            (<code className="break">{fingerprint.value}</code>)
          </>
        ) : null}
        . Hosts enrolling with a secret get its labels.
      </p>
      {fingerprint.error && (
        <p className="error" role="alert">
          {fingerprint.error}
        </p>
      )}
      <form
        className="filters"
        role="search"
        aria-label="Enrol secrets"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter("q", text.trim());
        }}
      >
        <label>
          Search secrets
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name" />
        </label>
        <label>
          State
          <select value={state ?? ""} onChange={(e) => setFilter("state", e.target.value)}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <div className="toolbar">
        <span className="muted">{list.result ? `${list.result.total.toLocaleString()} enrol secret${list.result.total === 1 ? "" : "s"}` : "Loading…"}</span>
        <ExportLinks
          name="enrol-secrets"
          csv={exportHref("/api/v1/enroll-secrets/export", "csv", query)}
          jsonl={exportHref("/api/v1/enroll-secrets/export", "jsonl", query)}
        />
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create enrol secret
        </button>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {list.error && (
        <p className="error" role="alert">
          {list.error}
        </p>
      )}
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">Enrol secrets, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Labels</th>
              <th scope="col">State</th>
              <th scope="col" className="num">Uses</th>
              <th scope="col">Created</th>
              <th scope="col">Expires / revoked</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td>
                  <code>{s.prefix}…</code>
                </td>
                <td>{s.labels.join(", ")}</td>
                <td>
                  <span className={`badge cred-${s.state}`}>{s.state}</span>
                </td>
                <td className="num">{s.uses}</td>
                <td>
                  <Time value={s.created_at} />
                  <div className="muted small">by {actorText(s.created_by)}</div>
                </td>
                <td>
                  {s.revoked_at ? (
                    <>
                      revoked <Time value={s.revoked_at} />
                    </>
                  ) : (
                    <Time value={s.expires_at} empty="never" />
                  )}
                </td>
                <td>
                  <Time value={s.last_used_at} empty="never" />
                </td>
                <td className="row-actions">
                  {s.state === "active" && (
                    <>
                      <button type="button" onClick={() => setRotating(s)}>
                        Rotate <span className="sr-only">{s.name}</span>
                      </button>
                      <button type="button" onClick={() => setRevoking(s)}>
                        Revoke <span className="sr-only">{s.name}</span>
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.result && items.length === 0 && (
          <div className="empty" role="status">
            <p>{q || state ? "No enrol secret matches these filters." : "No enrol secrets yet. Create one, then run the command it shows on each host to enrol."}</p>
          </div>
        )}
      </div>
      {list.result && (
        <Pager page={list.page} pageSize={PAGE} shown={items.length} total={list.result.total} hasNext={!!list.result.next_cursor} onPrevious={list.previous} onNext={list.next} />
      )}
      {creating && (
        <CreateSecretDialog
          onClose={(c) => {
            setCreating(false);
            if (c) {
              setShown({ title: `New enrol secret “${c.enroll_secret.name}”`, secret: c.secret });
              setNotice(`Created ${c.enroll_secret.name}.`);
              list.reload();
            }
          }}
        />
      )}
      {rotating && (
        <RotateDialog
          secret={rotating}
          onClose={(r) => {
            setRotating(null);
            if (r) {
              setShown({ title: `New secret for “${r.enroll_secret.name}”`, secret: r.secret });
              setNotice(
                r.replaced.revoked_at && Date.parse(r.replaced.revoked_at) > Date.now()
                  ? `Rotated ${r.enroll_secret.name}; the old secret keeps working until ${new Date(r.replaced.revoked_at).toLocaleString()}.`
                  : `Rotated ${r.enroll_secret.name}; the old secret is revoked.`,
              );
              list.reload();
            }
          }}
        />
      )}
      {shown && (
        <SecretOnce title={shown.title} label="Secret" value={shown.secret} onClose={() => setShown(null)}>
          <p>On each host to enrol, run (as root, with Warden installed):</p>
          <CopyField label="Enrol command" value={enrolCommand(server, shown.secret, fingerprint.value)} />
          {!fingerprint.value && <p className="error">The CA fingerprint is missing: add --ca-fingerprint as `warden server` printed it at start.</p>}
        </SecretOnce>
      )}
      {revoking && (
        <Confirm
          title={`Revoke the enrol secret “${revoking.name}”?`}
          confirm="Revoke secret"
          busy={busy}
          error={failure}
          onConfirm={revoke}
          onClose={() => {
            setRevoking(null);
            setFailure(null);
          }}
        >
          <p>New enrolments with it are refused at once; hosts already enrolled with it stay enrolled.</p>
        </Confirm>
      )}
    </div>
  );
}

function CreateSecretDialog({ onClose }: { onClose(created?: Schemas["EnrollSecretCreated"]): void }) {
  const [name, setName] = useState("");
  const [labels, setLabels] = useState("");
  const [expiry, setExpiry] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const list = [...new Set(labels.split(/[\s,]+/).filter(Boolean))];
    const bad = list.find((l) => !/^[A-Za-z0-9][A-Za-z0-9._:/=@+-]*$/.test(l));
    if (bad) return setError(`“${bad}” is not a label: letters, digits and . _ : / = @ + -, starting with a letter or digit.`);
    const expires_at = expiry ? localInputToUtc(expiry) : null;
    if (expiry && (!expires_at || Date.parse(expires_at) <= Date.now())) return setError("The expiry must be a time in the future.");
    setBusy(true);
    const { data, error: err } = await api.POST("/api/v1/enroll-secrets", { body: { name: name.trim(), labels: list, expires_at } });
    setBusy(false);
    if (data) onClose(data);
    else setError(errorMessage(err, "Creating the enrol secret failed"));
  };
  return (
    <Dialog title="Create an enrol secret" onClose={() => onClose()}>
      <form onSubmit={submit}>
        <label>
          Secret name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={128} placeholder="e.g. web-fleet" />
        </label>
        <label>
          Labels for the hosts (optional)
          <input value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="env=prod, team=web" />
        </label>
        <label>
          Expires (optional; your time zone)
          <input type="datetime-local" value={expiry} onChange={(e) => setExpiry(e.target.value)} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={() => onClose()}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create secret
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function RotateDialog({ secret, onClose }: { secret: Secret; onClose(r?: Schemas["EnrollSecretRotated"]): void }) {
  const [grace, setGrace] = useState(3600);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const { data, error: err } = await api.POST("/api/v1/enroll-secrets/{secret_id}/rotate", {
      params: { path: { secret_id: secret.id } },
      body: { grace_seconds: grace },
    });
    setBusy(false);
    if (data) onClose(data);
    else setError(errorMessage(err, "Rotating failed"));
  };
  return (
    <Dialog title={`Rotate “${secret.name}”`} onClose={() => onClose()}>
      <form onSubmit={submit}>
        <p>A new secret with the same name, labels and expiry replaces this one. Hosts already enrolled are not affected.</p>
        <label>
          The old secret keeps working for
          <select value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
            {GRACES.map(([label, seconds]) => (
              <option key={seconds} value={seconds}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={() => onClose()}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Rotate secret
          </button>
        </div>
      </form>
    </Dialog>
  );
}
