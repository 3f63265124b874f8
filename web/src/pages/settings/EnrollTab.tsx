// Enrol secrets (admins only): the list with search and state filter in the
// URL; create (name, labels, expiry), rotate (with a grace period) and
// revoke. A new secret is shown once with the commands that enrol a host,
// as the server made them for the URL this console reached it at (the
// answer's `commands`). The CA fingerprint shown above the list comes from
// /api/v1/agent/ca's X-Warden-Ca-Fingerprint header. The list never has the
// secrets.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { api, errorMessage, type Schemas } from "../../api/client";
import { actorText, ENROLL_SECRET_LIST } from "../../lib/adminLists";
import { localInputToUtc } from "../../lib/time";
import { validFingerprint } from "../../lib/enrol";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../../components/DataList";
import { Time } from "../../components/Time";
import { Dialog } from "../../components/Dialog";
import { CopyField } from "../../components/CopyField";
import { Confirm, SecretOnce } from "../../components/SecretOnce";

type Secret = Schemas["EnrollSecret"];
type State = Schemas["CredentialState"];
const STATES: State[] = ["active", "expired", "revoked"];
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
  const list = useListState(ENROLL_SECRET_LIST);
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<Secret | null>(null);
  const [revoking, setRevoking] = useState<Secret | null>(null);
  const [shown, setShown] = useState<{ title: string; secret: string; commands: Schemas["EnrolCommands"] } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);
  const fingerprint = useFingerprint();
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/enroll-secrets", { params: { query: query as QueryOf<"/api/v1/enroll-secrets"> } }), []);

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/enroll-secrets/{secret_id}/revoke", { params: { path: { secret_id: revoking.id } } });
    setBusy(false);
    if (data) {
      setNotice(`Revoked ${data.name}: enrolments with it are refused; hosts enrolled with it stay.`);
      setRevoking(null);
      setFailure(null);
      setReload((n) => n + 1);
    } else setFailure(errorMessage(error, "Revoking failed"));
  };

  const columns = useMemo<Column<Secret>[]>(
    () => [
      { id: "name", label: "Name", sort: "name", required: true, cell: (s) => s.name },
      { id: "prefix", label: "Starts with", cell: (s) => <code>{s.prefix}…</code> },
      { id: "labels", label: "Labels", cell: (s) => s.labels.join(", ") },
      { id: "state", label: "State", cell: (s) => <span className={`badge cred-${s.state}`}>{s.state}</span> },
      { id: "uses", label: "Uses", sort: "uses", className: "num", cell: (s) => s.uses },
      {
        id: "created",
        label: "Created",
        sort: "created_at",
        cell: (s) => (
          <>
            <Time value={s.created_at} />
            <div className="muted small">by {actorText(s.created_by)}</div>
          </>
        ),
      },
      {
        id: "expires",
        label: "Expires / revoked",
        sort: "expires_at",
        cell: (s) =>
          s.revoked_at ? (
            <>
              revoked <Time value={s.revoked_at} />
            </>
          ) : (
            <Time value={s.expires_at} empty="never" />
          ),
      },
      { id: "used", label: "Last used", sort: "last_used_at", cell: (s) => <Time value={s.last_used_at} empty="never" /> },
      {
        id: "actions",
        label: "Actions",
        required: true,
        className: "row-actions",
        cell: (s) =>
          s.state === "active" && (
            <>
              <button type="button" onClick={() => setRotating(s)}>
                Rotate <span className="sr-only">{s.name}</span>
              </button>
              <button type="button" onClick={() => setRevoking(s)}>
                Revoke <span className="sr-only">{s.name}</span>
              </button>
            </>
          ),
      },
    ],
    [],
  );

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
      <ListFilters
        list={list}
        label="Enrol secret filters"
        search
        submitLabel="Search"
        fields={[
          { key: "state", label: "State", control: "checks", options: STATES.map((s) => ({ value: s, label: s })) },
          { key: "label", label: "Label", control: "csv", placeholder: "env=prod" },
          { key: "q", label: "Search secrets", control: "text", placeholder: "name" },
        ]}
      />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <DataList
        name="Enrol secrets"
        prefsKey="enroll-secrets"
        list={list}
        load={load}
        exportPath="/api/v1/enroll-secrets/export"
        columns={columns}
        rowKey={(s) => s.id}
        reload={reload}
        actions={() => (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create enrol secret
          </button>
        )}
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No enrol secret matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>No enrol secrets yet. Create one, then run the command it shows on each host to enrol.</p>
          )
        }
      />
      {creating && (
        <CreateSecretDialog
          onClose={(c) => {
            setCreating(false);
            if (c) {
              setShown({ title: `New enrol secret “${c.enroll_secret.name}”`, secret: c.secret, commands: c.commands });
              setNotice(`Created ${c.enroll_secret.name}.`);
              setReload((n) => n + 1);
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
              setShown({ title: `New secret for “${r.enroll_secret.name}”`, secret: r.secret, commands: r.commands });
              setNotice(
                r.replaced.revoked_at && Date.parse(r.replaced.revoked_at) > Date.now()
                  ? `Rotated ${r.enroll_secret.name}; the old secret keeps working until ${new Date(r.replaced.revoked_at).toLocaleString()}.`
                  : `Rotated ${r.enroll_secret.name}; the old secret is revoked.`,
              );
              setReload((n) => n + 1);
            }
          }}
        />
      )}
      {shown && (
        <SecretOnce title={shown.title} label="Secret" value={shown.secret} onClose={() => setShown(null)}>
          {shown.commands?.install && (
            <>
              <p>To install Warden on a host and enrol it, run there (it checks the server&rsquo;s CA, installs the packages this server holds, enrols and starts the agent):</p>
              <CopyField label="Install command" value={shown.commands.install} />
            </>
          )}
          {shown.commands && (
            <>
              <p>On a host that has Warden installed, run as root:</p>
              <CopyField label="Enrol command" value={shown.commands.enroll} />
            </>
          )}
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
