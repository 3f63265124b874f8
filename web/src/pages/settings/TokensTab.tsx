// API tokens: the caller's own (admins may pick any user's), filtered by
// state in the URL; create one with a name and an expiry (the token is shown
// once, in a dialog, and never again) and revoke. A token acts with its
// user's role: the API has no per-token role.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { api, errorMessage, type Schemas } from "../../api/client";
import { useSession } from "../../session";
import { TOKEN_LIST } from "../../lib/adminLists";
import { localInputToUtc } from "../../lib/time";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../../components/DataList";
import { Time } from "../../components/Time";
import { Dialog } from "../../components/Dialog";
import { Confirm, SecretOnce } from "../../components/SecretOnce";

type Token = Schemas["ApiToken"];
type State = Schemas["CredentialState"];
const STATES: State[] = ["active", "expired", "revoked"];
const USERS_BOUND = 1000;

export const EXPIRIES: { label: string; days: number | null }[] = [
  { label: "in 7 days", days: 7 },
  { label: "in 30 days", days: 30 },
  { label: "in 90 days", days: 90 },
  { label: "in 1 year", days: 365 },
  { label: "never", days: null },
];

export function expiryFromDays(days: number | null, now = Date.now()): string | null {
  if (days === null) return null;
  return new Date(now + days * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
}

export function TokensTab() {
  const { session } = useSession();
  const admin = session?.user.role === "admin";
  const list = useListState(TOKEN_LIST);
  const userId = admin ? (list.state.filters.user as string) : "";
  const [users, setUsers] = useState<{ items: Schemas["User"][]; total: number } | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Schemas["ApiTokenCreated"] | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/tokens", { params: { query: query as QueryOf<"/api/v1/tokens"> } }), []);

  useEffect(() => {
    if (!admin) return;
    api.GET("/api/v1/users", { params: { query: { limit: USERS_BOUND, sort: "name" } } }).then(({ data }) => data && setUsers(data));
  }, [admin]);

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    const { error, response } = await api.DELETE("/api/v1/tokens/{token_id}", { params: { path: { token_id: revoking.id } } });
    setBusy(false);
    if (response.ok) {
      setNotice(`Revoked ${revoking.name}; requests with it are refused from now on.`);
      setRevoking(null);
      setReload((n) => n + 1);
    } else setFailure(errorMessage(error, "Revoking the token failed"));
  };

  const columns = useMemo<Column<Token>[]>(
    () => [
      { id: "name", label: "Name", sort: "name", required: true, cell: (t) => t.name },
      { id: "prefix", label: "Starts with", cell: (t) => <code>{t.prefix}…</code> },
      { id: "user", label: "User", className: "nowrap", cell: (t) => t.user_name },
      { id: "state", label: "State", cell: (t) => <span className={`badge cred-${t.state}`}>{t.state}</span> },
      { id: "created", label: "Created", sort: "created_at", cell: (t) => <Time value={t.created_at} /> },
      { id: "expires", label: "Expires", sort: "expires_at", cell: (t) => <Time value={t.expires_at} empty="never" /> },
      { id: "used", label: "Last used", sort: "last_used_at", cell: (t) => <Time value={t.last_used_at} empty="never" /> },
      {
        id: "actions",
        label: "Actions",
        required: true,
        className: "row-actions",
        cell: (t) =>
          t.state === "active" && (
            <button type="button" onClick={() => setRevoking(t)}>
              Revoke <span className="sr-only">{t.name}</span>
            </button>
          ),
      },
    ],
    [],
  );

  const own = !userId || userId === session?.user.id;
  return (
    <div>
      <p className="muted">
        Scripts send a token as <code>Authorization: Bearer wdn_pat_…</code>. A token acts with its user's role ({own ? `yours: ${session?.user.role}` : "that user's"}); revoked or expired tokens are refused at once.
      </p>
      <div className="filters">
        {admin && (
          <label>
            User
            <select value={userId} onChange={(e) => list.update({ filters: { user: e.target.value } })}>
              <option value="">me ({session?.user.name})</option>
              {(users?.items ?? [])
                .filter((u) => u.id !== session?.user.id)
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
            </select>
          </label>
        )}
      </div>
      <ListFilters list={list} label="Token filters" fields={[{ key: "state", label: "State", control: "checks", options: STATES.map((s) => ({ value: s, label: s })) }]} />
      {users && users.total > USERS_BOUND && (
        <p className="notice" role="note">
          The user menu lists the first {USERS_BOUND} of {users.total} users by name.
        </p>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {failure && !revoking && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      <DataList
        name="API tokens"
        prefsKey="tokens"
        list={list}
        load={load}
        exportPath="/api/v1/tokens/export"
        columns={columns}
        rowKey={(t) => t.id}
        reload={reload}
        actions={() =>
          own && (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              Create token
            </button>
          )
        }
        empty={(filtered, clear) =>
          filtered && !userId ? (
            <p>
              No token matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : own ? (
            <p>You have no API tokens. “Create token” makes one for scripts and integrations.</p>
          ) : (
            <p>This user has no API tokens{filtered ? " matching these filters" : ""}.</p>
          )
        }
      />
      {creating && (
        <CreateTokenDialog
          onClose={(c) => {
            setCreating(false);
            if (c) {
              setCreated(c);
              setNotice(`Created ${c.api_token.name}.`);
              setReload((n) => n + 1);
            }
          }}
        />
      )}
      {created && (
        <SecretOnce title={`Your new API token “${created.api_token.name}”`} label="Token" value={created.token} onClose={() => setCreated(null)}>
          <p className="muted small">
            Expires: {created.api_token.expires_at ? <Time value={created.api_token.expires_at} /> : "never"}. Use it as <code>Authorization: Bearer</code>, never in a URL.
          </p>
        </SecretOnce>
      )}
      {revoking && (
        <Confirm
          title={`Revoke the token “${revoking.name}”?`}
          confirm="Revoke token"
          busy={busy}
          error={failure}
          onConfirm={revoke}
          onClose={() => {
            setRevoking(null);
            setFailure(null);
          }}
        >
          <p>
            Scripts using <code>{revoking.prefix}…</code> ({revoking.user_name}) are refused from now on. This cannot be undone.
          </p>
        </Confirm>
      )}
    </div>
  );
}

function CreateTokenDialog({ onClose }: { onClose(created?: Schemas["ApiTokenCreated"]): void }) {
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("30");
  const [custom, setCustom] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let expires_at: string | null;
    if (expiry === "custom") {
      expires_at = localInputToUtc(custom);
      if (!expires_at) return setError("Choose the expiry time.");
      if (Date.parse(expires_at) <= Date.now()) return setError("The expiry must be in the future.");
    } else expires_at = expiryFromDays(expiry === "never" ? null : Number(expiry));
    setBusy(true);
    const { data, error: err } = await api.POST("/api/v1/tokens", { body: { name: name.trim(), expires_at } });
    setBusy(false);
    if (data) onClose(data);
    else setError(errorMessage(err, "Creating the token failed"));
  };
  return (
    <Dialog title="Create an API token" onClose={() => onClose()}>
      <form onSubmit={submit}>
        <label>
          Token name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={128} placeholder="what uses it, e.g. siem-export" />
        </label>
        <label>
          Expires
          <select value={expiry} onChange={(e) => setExpiry(e.target.value)}>
            {EXPIRIES.map((x) => (
              <option key={x.label} value={x.days === null ? "never" : String(x.days)}>
                {x.label}
              </option>
            ))}
            <option value="custom">at a time I choose</option>
          </select>
        </label>
        {expiry === "custom" && (
          <label>
            Expiry (your time zone)
            <input type="datetime-local" value={custom} onChange={(e) => setCustom(e.target.value)} required />
          </label>
        )}
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
            Create token
          </button>
        </div>
      </form>
    </Dialog>
  );
}
