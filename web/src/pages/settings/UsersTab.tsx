// Users and roles (admins only): the user list (the shared DataList) with
// search, role and disabled filters in the URL, add a user with a role (a one-time password is
// shown once when none is given), change a role, disable or enable, and
// reset a password to a new one-time one. The server refuses what would
// leave no enabled admin (E_LAST_ADMIN); the page shows its message.
import { useCallback, useMemo, useState, type FormEvent } from "react";
import { api, errorMessage, type Schemas } from "../../api/client";
import { useSession } from "../../session";
import { USER_LIST } from "../../lib/adminLists";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../../components/DataList";
import { Time } from "../../components/Time";
import { Dialog } from "../../components/Dialog";
import { SecretOnce } from "../../components/SecretOnce";

type User = Schemas["User"];
type Role = Schemas["Role"];
const ROLES: Role[] = ["admin", "analyst", "viewer"];

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
  const list = useListState(USER_LIST);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [reload, setReload] = useState(0);
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/users", { params: { query: query as QueryOf<"/api/v1/users"> } }), []);

  const change = useCallback(async (u: User, body: Schemas["UserUpdate"], done: string) => {
    setNotice(null);
    setFailure(null);
    const { data, error } = await api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: u.id } }, body });
    if (data) setNotice(done);
    else setFailure(errorMessage(error, `Changing ${u.name} failed`));
    setReload((n) => n + 1);
  }, []);

  const me = session?.user.id;
  const columns = useMemo<Column<User>[]>(
    () => [
      {
        id: "name",
        label: "Name",
        sort: "name",
        required: true,
        cell: (u) => (
          <>
            {u.name}
            {u.id === me && <span className="muted"> (you)</span>}
          </>
        ),
      },
      {
        id: "role",
        label: "Role",
        sort: "role",
        cell: (u) => (
          <select aria-label={`Role of ${u.name}`} value={u.role} onChange={(e) => change(u, { role: e.target.value as Role }, `${u.name} is now ${e.target.value}.`)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        ),
      },
      {
        id: "state",
        label: "State",
        cell: (u) => (
          <>
            {u.disabled ? <span className="badge state-failing">disabled</span> : <span className="badge">enabled</span>}
            {u.must_change_password && <span className="muted small"> must change password</span>}
          </>
        ),
      },
      { id: "created", label: "Created", sort: "created_at", cell: (u) => <Time value={u.created_at} /> },
      { id: "login", label: "Last login", cell: (u) => <Time value={u.last_login_at} empty="never" /> },
      {
        id: "actions",
        label: "Actions",
        required: true,
        className: "row-actions",
        cell: (u) => (
          <>
            <button type="button" onClick={() => change(u, { disabled: !u.disabled }, `${u.name} is ${u.disabled ? "enabled" : "disabled"}.`)}>
              {u.disabled ? "Enable" : "Disable"} <span className="sr-only">{u.name}</span>
            </button>
            <button type="button" onClick={() => setResetting(u)}>
              Reset password <span className="sr-only">of {u.name}</span>
            </button>
          </>
        ),
      },
    ],
    [me, change],
  );

  return (
    <div>
      <ListFilters
        list={list}
        label="User filters"
        search
        submitLabel="Search"
        fields={[
          { key: "role", label: "Role", control: "checks", options: ROLES.map((r) => ({ value: r, label: r })) },
          { key: "disabled", label: "Disabled", control: "bool", any: "any" },
          { key: "q", label: "Search users", control: "text", placeholder: "name" },
        ]}
      />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      <DataList
        name="Users"
        prefsKey="users"
        list={list}
        load={load}
        exportPath="/api/v1/users/export"
        columns={columns}
        rowKey={(u) => u.id}
        reload={reload}
        actions={() => (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add user
          </button>
        )}
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No user matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>No users yet. Add one with “Add user”.</p>
          )
        }
      />
      {adding && (
        <AddUserDialog
          onClose={(created, password) => {
            setAdding(false);
            if (created) {
              setReload((n) => n + 1);
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
              setReload((n) => n + 1);
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
