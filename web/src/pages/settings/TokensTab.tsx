// API tokens: the caller's own (admins may pick any user's), filtered by
// state in the URL; create one with a name and an expiry (the token is shown
// once, in a dialog, and never again) and revoke. A token acts with its
// user's role: the API has no per-token role.
import { useEffect, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../../api/client";
import { useSession } from "../../session";
import { useCursorList } from "../../lib/useCursorList";
import { localInputToUtc } from "../../lib/time";
import { Pager } from "../../components/Pager";
import { Time } from "../../components/Time";
import { Dialog } from "../../components/Dialog";
import { Confirm, SecretOnce } from "../../components/SecretOnce";
import { ExportLinks, exportHref } from "../../components/ExportLinks";

type Token = Schemas["ApiToken"];
type State = Schemas["CredentialState"];
const STATES: State[] = ["active", "expired", "revoked"];
const PAGE = 50;
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
  const [params, setParams] = useSearchParams();
  const userId = admin ? params.get("user") ?? "" : "";
  const state = STATES.find((s) => s === params.get("state"));
  const [users, setUsers] = useState<{ items: Schemas["User"][]; total: number } | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Schemas["ApiTokenCreated"] | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!admin) return;
    api.GET("/api/v1/users", { params: { query: { limit: USERS_BOUND, sort: "name" } } }).then(({ data }) => data && setUsers(data));
  }, [admin]);

  const query = { sort: "-created_at" as const, ...(userId ? { user_id: userId } : {}), ...(state ? { state: [state] } : {}) };
  const list = useCursorList<Token>(
    (cursor) => api.GET("/api/v1/tokens", { params: { query: { ...query, limit: PAGE, ...(cursor ? { cursor } : {}) } } }),
    `${userId}|${state ?? ""}`,
    "tokens",
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
    const { error, response } = await api.DELETE("/api/v1/tokens/{token_id}", { params: { path: { token_id: revoking.id } } });
    setBusy(false);
    if (response.ok) {
      setNotice(`Revoked ${revoking.name}; requests with it are refused from now on.`);
      setRevoking(null);
      list.reload();
    } else setFailure(errorMessage(error, "Revoking the token failed"));
  };

  const items = list.result?.items ?? [];
  const own = !userId || userId === session?.user.id;
  return (
    <div>
      <p className="muted">
        Scripts send a token as <code>Authorization: Bearer wdn_pat_…</code>. A token acts with its user's role ({own ? `yours: ${session?.user.role}` : "that user's"}); revoked or expired tokens are refused at once.
      </p>
      <form className="filters" aria-label="Token filters" onSubmit={(e) => e.preventDefault()}>
        {admin && (
          <label>
            User
            <select value={userId} onChange={(e) => setFilter("user", e.target.value)}>
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
        <label>
          State
          <select value={state ?? ""} onChange={(e) => setFilter("state", e.target.value)}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </form>
      {users && users.total > USERS_BOUND && (
        <p className="notice" role="note">
          The user menu lists the first {USERS_BOUND} of {users.total} users by name.
        </p>
      )}
      <div className="toolbar">
        <span className="muted">{list.result ? `${list.result.total.toLocaleString()} token${list.result.total === 1 ? "" : "s"}` : "Loading…"}</span>
        <ExportLinks name="tokens" csv={exportHref("/api/v1/tokens/export", "csv", query)} jsonl={exportHref("/api/v1/tokens/export", "jsonl", query)} />
        {own && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create token
          </button>
        )}
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {(failure || list.error) && (
        <p className="error" role="alert">
          {failure ?? list.error}
        </p>
      )}
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">API tokens, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">User</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{t.user_name}</td>
                <td>
                  <span className={`badge cred-${t.state}`}>{t.state}</span>
                </td>
                <td>
                  <Time value={t.created_at} />
                </td>
                <td>
                  <Time value={t.expires_at} empty="never" />
                </td>
                <td>
                  <Time value={t.last_used_at} empty="never" />
                </td>
                <td>
                  {t.state === "active" && (
                    <button type="button" onClick={() => setRevoking(t)}>
                      Revoke <span className="sr-only">{t.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.result && items.length === 0 && (
          <div className="empty" role="status">
            <p>
              {state
                ? `No ${state} token. Choose “any” state to see all.`
                : own
                  ? "You have no API tokens. “Create token” makes one for scripts and integrations."
                  : "This user has no API tokens."}
            </p>
          </div>
        )}
      </div>
      {list.result && (
        <Pager page={list.page} pageSize={PAGE} shown={items.length} total={list.result.total} hasNext={!!list.result.next_cursor} onPrevious={list.previous} onNext={list.next} />
      )}
      {creating && (
        <CreateTokenDialog
          onClose={(c) => {
            setCreating(false);
            if (c) {
              setCreated(c);
              setNotice(`Created ${c.api_token.name}.`);
              list.reload();
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
