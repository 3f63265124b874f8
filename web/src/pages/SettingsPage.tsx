// Settings: users and roles, API tokens, enrol secrets and the audit log, one
// tab each with its own URL (/settings/users, ...). Tabs a role may not use
// are not shown (the server refuses them anyway); every role has its own API
// tokens. The tabs' contents live in pages/settings/.
import { Navigate, NavLink, useParams } from "react-router-dom";
import { useSession } from "../session";
import { UsersTab } from "./settings/UsersTab";
import { TokensTab } from "./settings/TokensTab";
import { EnrollTab } from "./settings/EnrollTab";
import { AuditTab } from "./settings/AuditTab";

const TABS = [
  { id: "users", label: "Users and roles", adminOnly: true },
  { id: "tokens", label: "API tokens", adminOnly: false },
  { id: "enroll", label: "Enrol secrets", adminOnly: true },
  { id: "audit", label: "Audit log", adminOnly: true },
] as const;

export function SettingsPage() {
  const { tab } = useParams();
  const { session } = useSession();
  const admin = session?.user.role === "admin";
  const visible = TABS.filter((t) => admin || !t.adminOnly);
  const current = TABS.find((t) => t.id === tab);
  if (!current) return <Navigate to={`/settings/${visible[0].id}`} replace />;
  const allowed = admin || !current.adminOnly;
  return (
    <section className="page">
      <h1>Settings</h1>
      <nav className="tabs" aria-label="Settings">
        <ul>
          {visible.map((t) => (
            <li key={t.id}>
              <NavLink to={`/settings/${t.id}`}>{t.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {!allowed ? (
        <div className="empty">
          <p>
            “{current.label}” is for admins; you are logged in as {session?.user.role}. Ask an admin if you need a change here.
          </p>
        </div>
      ) : current.id === "users" ? (
        <UsersTab />
      ) : current.id === "tokens" ? (
        <TokensTab />
      ) : current.id === "enroll" ? (
        <EnrollTab />
      ) : (
        <AuditTab />
      )}
    </section>
  );
}
