// One cloud account: what it is (provider, identifier, organisation,
// override mode; edit, delete), its problems (a link to the Problems page
// filtered to it) and every catalog rule's effective settings with where
// each value comes from and a "needs configuration" badge for the rules that
// cannot fire for want of values. Each rule's account-level settings open in
// the rule editor; its sources and their health are CloudSources. It shows
// no cloud events: the API does not serve them.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import { Risk } from "../components/Risk";
import { Time } from "../components/Time";
import { CloudRuleEditor } from "./CloudRuleEditor";
import { CloudSources } from "./CloudSources";

type Account = Schemas["CloudAccount"];
type Effective = Schemas["CloudEffectiveRules"];
type Origin = Schemas["CloudSettingOrigin"];

const NEEDS: Record<string, string> = { patterns: "pattern rows", canary: "canary users or keys" };

export function settingsSummary(s: Schemas["CloudRuleSettings"] | undefined): string {
  if (!s) return "—";
  const parts: string[] = [];
  if (s.enabled !== undefined) parts.push(s.enabled ? "on" : "off");
  if (s.risk_level) parts.push(`risk ${s.risk_level.replace("_", " ")}`);
  if (s.patterns) parts.push(`${s.patterns.length} pattern row${s.patterns.length === 1 ? "" : "s"}`);
  if (s.canary) parts.push(`${(s.canary.users ?? []).length} canary users, ${(s.canary.access_keys ?? []).length} keys`);
  if (s.exceptions?.length) parts.push(`${s.exceptions.length} exception${s.exceptions.length === 1 ? "" : "s"}`);
  return parts.join(", ") || "nothing set";
}

// The Problems page filters by text, not yet by account id: a cloud problem's
// host name is its account's name, so the search finds its problems.
export function problemsHref(a: { name: string }): string {
  return `/problems?${new URLSearchParams({ q: a.name })}`;
}

function canaryCount(c: unknown): string {
  const v = c as Schemas["CloudCanary"];
  return `${(v.users ?? []).length} canary users, ${(v.access_keys ?? []).length} keys`;
}

function From({ from }: { from: Origin }) {
  return <span className={`badge source-${from}`}>{from}</span>;
}

export function CloudAccountPage() {
  const { accountId = "" } = useParams();
  const { session } = useSession();
  const edit = canTriage(session);
  const navigate = useNavigate();
  const [account, setAccount] = useState<Account | null>(null);
  const [org, setOrg] = useState<Schemas["CloudOrganisation"] | null>(null);
  const [effective, setEffective] = useState<Effective | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ruleEdit, setRuleEdit] = useState<string | null>(null);
  const [onlyNeeds, setOnlyNeeds] = useState(false);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const path = { account_id: accountId };

  const load = useCallback(() => {
    api.GET("/api/v1/cloud/accounts/{account_id}", { params: { path: { account_id: accountId } } }).then(({ data, error: e }) => {
      if (!data) return setError(errorMessage(e, "Loading the account failed"));
      setAccount(data);
      api.GET("/api/v1/cloud/organisations/{organisation_id}", { params: { path: { organisation_id: data.organisation_id } } }).then(({ data: o }) => o && setOrg(o));
    });
    api.GET("/api/v1/cloud/accounts/{account_id}/effective-rules", { params: { path: { account_id: accountId } } }).then(({ data, error: e }) => {
      if (data) setEffective(data);
      else setError(errorMessage(e, "Loading the effective rules failed"));
    });
  }, [accountId]);
  useEffect(load, [load]);

  const saveRule = async (ruleId: string, settings: Schemas["CloudRuleSettings"] | null) => {
    const { data, error: e } = await api.PATCH("/api/v1/cloud/accounts/{account_id}", { params: { path }, body: { rules: { [ruleId]: settings } } });
    if (!data) return errorMessage(e, "Saving failed");
    setRuleEdit(null);
    setNotice(settings ? `Saved ${ruleId} for this account.` : `Removed this account's ${ruleId} settings.`);
    load();
    return null;
  };
  const remove = async () => {
    const { response, error: e } = await api.DELETE("/api/v1/cloud/accounts/{account_id}", { params: { path } });
    if (response.ok) navigate(org ? `/cloud/organisations/${encodeURIComponent(org.id)}` : "/cloud");
    else setError(errorMessage(e, "Deleting failed"));
  };

  if (error)
    return (
      <section className="page">
        <p>
          <Link to="/cloud">Cloud</Link> /
        </p>
        <h1>Account</h1>
        <p className="error" role="alert">
          {error}
        </p>
      </section>
    );
  if (!account) return <p className="loading">Loading…</p>;
  const needs = effective?.items.filter((r) => r.needs_configuration) ?? [];
  // The rules that cannot fire come first: they are what needs doing.
  const rows = (effective?.items ?? []).filter((r) => !onlyNeeds || r.needs_configuration).sort((a, b) => Number(b.needs_configuration) - Number(a.needs_configuration));
  const editing_rule = ruleEdit ? effective?.items.find((r) => r.rule_id === ruleEdit) : undefined;

  return (
    <section className="page">
      <p>
        <Link to="/cloud">Cloud</Link> / {org ? <Link to={`/cloud/organisations/${encodeURIComponent(org.id)}`}>{org.name}</Link> : "…"} /
      </p>
      <h1>{account.name}</h1>
      <dl className="facts wide">
        <dt>Provider</dt>
        <dd>{account.provider === "aws" ? "AWS account" : "OCI tenancy"}</dd>
        <dt>Identifier</dt>
        <dd>
          <code>{account.identifier}</code>
        </dd>
        <dt>Own rule settings</dt>
        <dd>{account.override_mode === "overwrite" ? "overwrite the organisation's, rule by rule" : "fill the organisation's gaps"}</dd>
        <dt>Problems</dt>
        <dd>
          <Link to={problemsHref(account)}>Problems of this account</Link>{" "}
          <span className="muted small">(the Problems page searches for the account's name, which its problems carry as their host name)</span>
        </dd>
        <dt>Changed</dt>
        <dd>
          <Time value={account.updated_at} />
        </dd>
      </dl>
      {edit && !editing && (
        <div className="toolbar">
          <button type="button" onClick={() => setEditing(true)}>
            Edit name and override mode
          </button>
          <DeleteButton name={account.name} onConfirm={remove} />
        </div>
      )}
      {editing && (
        <EditAccount
          account={account}
          onDone={(a) => {
            setEditing(false);
            if (a) load();
          }}
        />
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}

      <h2>Sources</h2>
      <CloudSources accountId={account.id} />

      <h2>Effective rules</h2>
      {effective && (
        <p role="status" className={needs.length ? "notice" : "muted"}>
          {needs.length
            ? `${needs.length} of ${effective.items.length} rules need configuration: ${needs.map((r) => `${r.rule_id} (${NEEDS[r.needs ?? ""] ?? r.needs})`).join(", ")}. They cannot fire until given their values.`
            : `All ${effective.items.length} rules have what they need.`}
        </p>
      )}
      <label className="inline">
        <input type="checkbox" checked={onlyNeeds} onChange={(e) => setOnlyNeeds(e.target.checked)} />
        Only rules that need configuration
      </label>
      {ruleEdit && (
        <CloudRuleEditor
          key={ruleEdit}
          ruleId={ruleEdit}
          title={editing_rule?.title ?? ""}
          level="account"
          current={account.rules[ruleEdit]}
          showPatterns={editing_rule ? editing_rule.patterns.value !== null || editing_rule.needs === "patterns" : false}
          showCanary={editing_rule ? editing_rule.canary.value !== null || editing_rule.needs === "canary" : false}
          onSave={(s) => saveRule(ruleEdit, s)}
          onCancel={() => setRuleEdit(null)}
        />
      )}
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">Effective rules of {account.name}</caption>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Configuration</th>
              <th scope="col">Enabled</th>
              <th scope="col">Risk</th>
              <th scope="col">Values</th>
              <th scope="col">Account settings</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.rule_id}>
                <td>
                  <code>{r.rule_id}</code>
                  <br />
                  {r.title}
                </td>
                <td>
                  {r.needs_configuration ? (
                    <span className="badge needs-config">needs configuration: {NEEDS[r.needs ?? ""] ?? r.needs}</span>
                  ) : r.patterns.value !== null || r.canary.value !== null ? (
                    <span className="badge configured">configured</span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {r.enabled.value ? "on" : "off"} <From from={r.enabled.from} />
                </td>
                <td>
                  <Risk level={r.risk_level.value} /> <From from={r.risk_level.from} />
                </td>
                <td className="small">
                  {r.patterns.value !== null && (
                    <div>
                      {r.patterns.value.length} pattern row{r.patterns.value.length === 1 ? "" : "s"} <From from={r.patterns.from} />
                    </div>
                  )}
                  {r.canary.value != null && (
                    <div>
                      {canaryCount(r.canary.value)} <From from={r.canary.from} />
                    </div>
                  )}
                  {r.exceptions.length > 0 && (
                    <div>
                      {r.exceptions.length} exception{r.exceptions.length === 1 ? "" : "s"} ({[...new Set(r.exceptions.map((x) => x.from))].join(", ")})
                    </div>
                  )}
                </td>
                <td>
                  <div className="small">{settingsSummary(account.rules[r.rule_id])}</div>
                  {edit && (
                    <button type="button" onClick={() => setRuleEdit(r.rule_id)} aria-label={`Edit this account's ${r.rule_id} settings`}>
                      Edit
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {effective && rows.length === 0 && (
        <div className="empty" role="status">
          <p>{onlyNeeds ? "No rule needs configuration on this account." : "The catalog has no rule for this provider."}</p>
        </div>
      )}
    </section>
  );
}

function DeleteButton({ name, onConfirm }: { name: string; onConfirm(): void }) {
  const [asking, setAsking] = useState(false);
  return asking ? (
    <span className="inline-form">
      Delete “{name}”?
      <button type="button" className="danger" onClick={onConfirm}>
        Delete account
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  ) : (
    <button type="button" onClick={() => setAsking(true)}>
      Delete…
    </button>
  );
}

function EditAccount({ account, onDone }: { account: Account; onDone(a?: Account): void }) {
  const [name, setName] = useState(account.name);
  const [mode, setMode] = useState(account.override_mode);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError("Give the account a name.");
    const { data, error: err } = await api.PATCH("/api/v1/cloud/accounts/{account_id}", { params: { path: { account_id: account.id } }, body: { name: name.trim(), override_mode: mode } });
    if (data) onDone(data);
    else setError(errorMessage(err, "Saving failed"));
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="edit-account-title" noValidate>
      <h3 id="edit-account-title">Edit account</h3>
      <label>
        Name
        <input value={name} maxLength={128} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Its own rule settings
        <select value={mode} onChange={(e) => setMode(e.target.value as Account["override_mode"])}>
          <option value="fill_gaps">fill the organisation's gaps</option>
          <option value="overwrite">overwrite the organisation's, rule by rule</option>
        </select>
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => onDone()}>
          Cancel
        </button>
        <button type="submit" className="primary">
          Save
        </button>
      </div>
    </form>
  );
}
