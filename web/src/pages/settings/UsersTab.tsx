// Users and roles (admins only): the user list with search, role and
// disabled filters in the URL, add a user with a role (a one-time password is
// shown once when none is given), change a role, disable or enable, and
// reset a password to a new one-time one. The server refuses what would
// leave no enabled admin (E_LAST_ADMIN); the page shows its message.
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../../api/client";
import { useSession } from "../../session";
import { useCursorList } from "../../lib/useCursorList";
import { Pager } from "../../components/Pager";
import { Time } from "../../components/Time";
import { Dialog } from "../../components/Dialog";
import { SecretOnce } from "../../components/SecretOnce";
import { ExportLinks, exportHref } from "../../components/ExportLinks";

type User = Schemas["User"];
type Role = Schemas["Role"];
const ROLES: Role[] = ["admin", "analyst", "viewer"];
const PAGE = 50;

export const ROLE_HELP: Record<Role, string> = {
  admin: "everything: users, enrol secrets, channels, feeds, audit log",
  analyst: "triage: dismiss, bulk actions, scans, labels, channel tests",
  viewer: "read only",
};

// A random one-time password (24 characters from 18 random bytes).
export function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  let bin = "";
  bytes.forEach((b) => (bin += String.fromCharCode(b)));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_");
}

export function UsersTab() {
  const { session } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const role = ROLES.find((r) => r === params.get("role"));
  const disabledParam = params.get("disabled");
  const disabled = disabledParam === "true" ? true : disabledParam === "false" ? false : undefined;
  const [text, setText] = useState(q);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);

  const query = { sort: "name" as const, ...(q ? { q } : {}), ...(role ? { role: [role] } : {}), ...(disabled !== undefined ? { disabled } : {}) };
  const list = useCursorList<User>(
    (cursor) => api.GET("/api/v1/users", { params: { query: { ...query, limit: PAGE, ...(cursor ? { cursor } : {}) } } }),
    params.toString(),
    "users",
  );

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };

  const change = async (u: User, body: Schemas["UserUpdate"], done: string) => {
    setNotice(null);
    setFailure(null);
    const { data, error } = await api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: u.id } }, body });
    if (data) {
      setNotice(done);
      list.reload();
    } else setFailure(errorMessage(error, `Changing ${u.name} failed`));
    return !!data;
  };

  const items = list.result?.items ?? [];
  return (
    <div>
      <form
        className="filters"
        role="search"
        aria-label="Users"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter("q", text.trim());
        }}
      >
        <label>
          Search users
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name" />
        </label>
        <label>
          Role
          <select value={role ?? ""} onChange={(e) => setFilter("role", e.target.value)}>
            <option value="">any</option>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          State
          <select value={disabledParam ?? ""} onChange={(e) => setFilter("disabled", e.target.value)}>
            <option value="">any</option>
            <option value="false">enabled</option>
            <option value="true">disabled</option>
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <div className="toolbar">
        <span className="muted">{list.result ? `${list.result.total.toLocaleString()} user${list.result.total === 1 ? "" : "s"}` : "Loading…"}</span>
        <ExportLinks name="users" csv={exportHref("/api/v1/users/export", "csv", query)} jsonl={exportHref("/api/v1/users/export", "jsonl", query)} />
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add user
        </button>
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
          <caption className="sr-only">Users by name</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Last login</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.name}
                  {u.id === session?.user.id && <span className="muted"> (you)</span>}
                </td>
                <td>
                  <select
                    aria-label={`Role of ${u.name}`}
                    value={u.role}
                    onChange={(e) => change(u, { role: e.target.value as Role }, `${u.name} is now ${e.target.value}.`)}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  {u.disabled ? <span className="badge state-failing">disabled</span> : <span className="badge">enabled</span>}
                  {u.must_change_password && <span className="muted small"> must change password</span>}
                </td>
                <td>
                  <Time value={u.created_at} />
                </td>
                <td>
                  <Time value={u.last_login_at} empty="never" />
                </td>
                <td className="row-actions">
                  <button type="button" onClick={() => change(u, { disabled: !u.disabled }, `${u.name} is ${u.disabled ? "enabled" : "disabled"}.`)}>
                    {u.disabled ? "Enable" : "Disable"} <span className="sr-only">{u.name}</span>
                  </button>
                  <button type="button" onClick={() => setResetting(u)}>
                    Reset password <span className="sr-only">of {u.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.result && items.length === 0 && (
          <div className="empty" role="status">
            <p>{q || role || disabled !== undefined ? "No user matches these filters. Clear them to see every user." : "No users yet. Add one with “Add user”."}</p>
          </div>
        )}
      </div>
      {list.result && (
        <Pager page={list.page} pageSize={PAGE} shown={items.length} total={list.result.total} hasNext={!!list.result.next_cursor} onPrevious={list.previous} onNext={list.next} />
      )}
      {adding && (
        <AddUserDialog
          onClose={(created, password) => {
            setAdding(false);
            if (created) {
              list.reload();
              setNotice(`Added ${created.name} as ${created.role}.`);
              if (password) setSecret({ title: `One-time password of ${created.name}`, value: password });
            }
          }}
        />
      )}
      {resetting && (
        <ResetPasswordDialog
          user={resetting}
          onClose={(password) => {
            const u = resetting;
            setResetting(null);
            if (password) {
              list.reload();
              setNotice(`${u.name}'s password was reset; they must choose a new one at their next login.`);
              setSecret({ title: `One-time password of ${u.name}`, value: password });
            }
          }}
        />
      )}
      {secret && <SecretOnce title={secret.title} label="Password" value={secret.value} onClose={() => setSecret(null)} />}
    </div>
  );
}

function AddUserDialog({ onClose }: { onClose(created?: User, password?: string | null): void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password && password.length < 12) return setError("A password has at least 12 characters (or leave it empty for a one-time one).");
    setBusy(true);
    const { data, error: err } = await api.POST("/api/v1/users", { body: { name: name.trim(), role, ...(password ? { password } : {}) } });
    setBusy(false);
    if (data) onClose(data.user, data.initial_password);
    else setError(errorMessage(err, "Adding the user failed"));
  };
  return (
    <Dialog title="Add a user" onClose={() => onClose()}>
      <form onSubmit={submit}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} pattern="[A-Za-z0-9._@\-]+" autoComplete="off" />
          <span className="muted small">Letters, digits and . _ @ -</span>
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r} — {ROLE_HELP[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Password (optional)
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
          <span className="muted small">Empty: the server makes a one-time password, shown once, to be changed at the first login.</span>
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
            Add user
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ResetPasswordDialog({ user, onClose }: { user: User; onClose(password?: string): void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const password = randomPassword();
    const { data, error: err } = await api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: user.id } }, body: { password } });
    setBusy(false);
    if (data) onClose(password);
    else setError(errorMessage(err, "Resetting the password failed"));
  };
  return (
    <Dialog title={`Reset the password of ${user.name}`} onClose={() => onClose()}>
      <form onSubmit={submit}>
        <p>
          A new random one-time password replaces the current one; it is shown once, and {user.name} must choose their own at the next login.
        </p>
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
            Reset password
          </button>
        </div>
      </form>
    </Dialog>
  );
}
