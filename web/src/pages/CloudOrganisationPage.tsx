// One cloud organisation: its name and description (edit, delete when it
// has no accounts), its organisation-level rule settings (the rule editor),
// and its accounts on the shared list component — provider filter and search
// in the URL, paging, export, columns; add an AWS account or OCI tenancy. An account opens on its own page.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import { Time } from "../components/Time";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";
import { ACCOUNT_LIST } from "../lib/recipeCloudSpecs";
import { CloudRuleEditor } from "./CloudRuleEditor";
import { problemsHref, settingsSummary } from "./CloudAccountPage";

type Org = Schemas["CloudOrganisation"];
type Account = Schemas["CloudAccount"];
type Provider = Schemas["CloudProvider"];

export function identifierError(provider: Provider, id: string): string | null {
  const v = id.trim();
  // As the server checks it (src/server/cloud_handlers.cc, IdentifierProblem).
  if (provider === "aws" && !/^\d{12}$/.test(v)) return "An AWS account id is 12 digits (123456789012).";
  if (provider === "oci" && !/^ocid1\.tenancy\.oc\d+\.\.[a-z0-9]{20,200}$/.test(v)) return "An OCI tenancy OCID looks like ocid1.tenancy.oc1..<lower-case letters and digits>.";
  return null;
}

export function CloudOrganisationPage() {
  const { organisationId = "" } = useParams();
  const { session } = useSession();
  const edit = canTriage(session);
  const navigate = useNavigate();
  const [org, setOrg] = useState<Org | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [ruleEdit, setRuleEdit] = useState<string | null>(null);
  const [newRule, setNewRule] = useState("");
  const [catalog, setCatalog] = useState<{ id: string; title: string }[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(() => {
    api.GET("/api/v1/cloud/organisations/{organisation_id}", { params: { path: { organisation_id: organisationId } } }).then(({ data, error: e }) => {
      if (data) setOrg(data);
      else setError(errorMessage(e, "Loading the organisation failed"));
    });
  }, [organisationId]);
  useEffect(load, [load]);

  const saveRule = async (ruleId: string, settings: Schemas["CloudRuleSettings"] | null) => {
    const { data, error: e } = await api.PATCH("/api/v1/cloud/organisations/{organisation_id}", {
      params: { path: { organisation_id: organisationId } },
      body: { rules: { [ruleId]: settings } },
    });
    if (!data) return errorMessage(e, "Saving failed");
    setOrg(data);
    setRuleEdit(null);
    setNotice(settings ? `Saved ${ruleId} for the organisation.` : `Removed the organisation's ${ruleId} settings.`);
    return null;
  };

  if (error)
    return (
      <section className="page">
        <p>
          <Link to="/cloud">Cloud</Link> /
        </p>
        <h1>Organisation</h1>
        <p className="error" role="alert">
          {error}
        </p>
      </section>
    );
  if (!org) return <p className="loading">Loading…</p>;
  const ruleIds = Object.keys(org.rules);
  const titleOf = (id: string) => catalog.find((c) => c.id === id)?.title ?? "";

  return (
    <section className="page">
      <p>
        <Link to="/cloud">Cloud</Link> /
      </p>
      <h1>{org.name}</h1>
      {org.description && <p className="prose">{org.description}</p>}
      <dl className="facts wide">
        <dt>Accounts</dt>
        <dd>{org.account_count}</dd>
        <dt>Changed</dt>
        <dd>
          <Time value={org.updated_at} />
        </dd>
      </dl>
      {edit && !editing && (
        <div className="toolbar">
          <button type="button" onClick={() => setEditing(true)}>
            Edit name and description
          </button>
          <DeleteOrganisation org={org} onDeleted={() => navigate("/cloud")} />
        </div>
      )}
      {editing && (
        <EditOrganisation
          org={org}
          onDone={(o) => {
            setEditing(false);
            if (o) setOrg(o);
          }}
        />
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}

      <h2>Accounts</h2>
      <Accounts org={org} edit={edit} onCatalog={setCatalog} onChange={load} />

      <h2>Organisation rule settings</h2>
      <p className="muted small">Settings every account of this organisation takes, unless an account sets its own (each account's page shows the effective result).</p>
      {ruleIds.length === 0 && <p className="muted">No rule is set at organisation level: the rules' defaults apply.</p>}
      {ruleIds.length > 0 && (
        <div className="table-wrap">
          <table className="grid">
            <caption className="sr-only">Rule settings of {org.name}</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Settings</th>
                {edit && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {ruleIds.map((id) => (
                <tr key={id}>
                  <td>
                    <code>{id}</code> {titleOf(id)}
                  </td>
                  <td>{settingsSummary(org.rules[id])}</td>
                  {edit && (
                    <td>
                      <button type="button" onClick={() => setRuleEdit(id)} aria-label={`Edit the organisation's ${id} settings`}>
                        Edit
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {edit && !ruleEdit && (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            if (newRule.trim()) setRuleEdit(newRule.trim());
          }}
        >
          <label className="inline">
            Rule id
            {catalog.length ? (
              <select value={newRule} onChange={(e) => setNewRule(e.target.value)}>
                <option value="">choose a rule…</option>
                {catalog.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.id} {c.title}
                  </option>
                ))}
              </select>
            ) : (
              <input value={newRule} onChange={(e) => setNewRule(e.target.value)} placeholder="RTM-011" />
            )}
          </label>
          <button type="submit" disabled={!newRule.trim()}>
            Set rule settings
          </button>
        </form>
      )}
      {ruleEdit && (
        <CloudRuleEditor
          key={ruleEdit}
          ruleId={ruleEdit}
          title={titleOf(ruleEdit)}
          level="organisation"
          current={org.rules[ruleEdit]}
          showPatterns={ruleEdit === "RTM-011" || org.rules[ruleEdit]?.patterns !== undefined}
          showCanary={/CANARY|IAM-055/.test(ruleEdit) || org.rules[ruleEdit]?.canary !== undefined}
          onSave={(s) => saveRule(ruleEdit, s)}
          onCancel={() => setRuleEdit(null)}
        />
      )}
    </section>
  );
}

function EditOrganisation({ org, onDone }: { org: Org; onDone(o?: Org): void }) {
  const [name, setName] = useState(org.name);
  const [description, setDescription] = useState(org.description);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError("Give the organisation a name.");
    const { data, error: err } = await api.PATCH("/api/v1/cloud/organisations/{organisation_id}", { params: { path: { organisation_id: org.id } }, body: { name: name.trim(), description } });
    if (data) onDone(data);
    else setError(errorMessage(err, "Saving failed"));
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="edit-org-title" noValidate>
      <h3 id="edit-org-title">Edit organisation</h3>
      <label>
        Name
        <input value={name} maxLength={128} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Description
        <textarea rows={2} value={description} maxLength={4096} onChange={(e) => setDescription(e.target.value)} />
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

function DeleteOrganisation({ org, onDeleted }: { org: Org; onDeleted(): void }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    const { response, error: err } = await api.DELETE("/api/v1/cloud/organisations/{organisation_id}", { params: { path: { organisation_id: org.id } } });
    if (response.ok) return onDeleted();
    setAsking(false);
    setError(response.status === 409 ? "It still has accounts: delete or move them first." : errorMessage(err, "Deleting failed"));
  };
  return (
    <>
      {asking ? (
        <span className="inline-form">
          Delete “{org.name}”?
          <button type="button" className="danger" onClick={remove}>
            Delete organisation
          </button>
          <button type="button" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" onClick={() => setAsking(true)}>
          Delete…
        </button>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

type AccountQuery = QueryOf<"/api/v1/cloud/organisations/{organisation_id}/accounts">;

function Accounts({ org, edit, onCatalog, onChange }: { org: Org; edit: boolean; onCatalog(c: { id: string; title: string }[]): void; onChange(): void }) {
  const list = useListState(ACCOUNT_LIST);
  const [adding, setAdding] = useState(false);
  const [firstAccount, setFirstAccount] = useState<string | null>(null);
  const load = useCallback(
    (query: ListQuery) => api.GET("/api/v1/cloud/organisations/{organisation_id}/accounts", { params: { path: { organisation_id: org.id }, query: query as AccountQuery } }),
    [org.id],
  );
  // The rule catalog comes with any account's effective rules.
  useEffect(() => {
    if (!firstAccount) return;
    api.GET("/api/v1/cloud/accounts/{account_id}/effective-rules", { params: { path: { account_id: firstAccount } } }).then(({ data }) => {
      if (data) onCatalog(data.items.map((r) => ({ id: r.rule_id, title: r.title })));
    });
  }, [firstAccount, onCatalog]);
  const columns = useMemo<Column<Account>[]>(
    () => [
      { id: "name", label: "Account", sort: "name", required: true, cell: (a) => <Link to={`/cloud/accounts/${encodeURIComponent(a.id)}`}>{a.name}</Link> },
      { id: "provider", label: "Provider", cell: (a) => a.provider.toUpperCase() },
      { id: "identifier", label: "Identifier", sort: "identifier", cell: (a) => <code>{a.identifier}</code> },
      { id: "mode", label: "Override mode", cell: (a) => (a.override_mode === "overwrite" ? "overwrite" : "fill gaps") },
      { id: "rules", label: "Own rules", cell: (a) => Object.keys(a.rules).join(", ") || <span className="muted">none</span> },
      { id: "created", label: "Added", sort: "created_at", shown: false, cell: (a) => <Time value={a.created_at} /> },
      { id: "problems", label: "Problems", cell: (a) => <Link to={problemsHref(a)}>Problems of {a.name}</Link> },
    ],
    [],
  );
  return (
    <div>
      <ListFilters
        list={list}
        label="Account filters"
        submitLabel="Search"
        fields={[
          { key: "provider", label: "Provider", control: "select", any: "any", options: [{ value: "aws", label: "AWS" }, { value: "oci", label: "OCI" }] },
          { key: "q", label: "Search accounts", control: "text", placeholder: "name or identifier" },
        ]}
      />
      {adding && (
        <NewAccount
          org={org}
          onDone={(created) => {
            setAdding(false);
            if (created) onChange();
          }}
        />
      )}
      <DataList
        name="Accounts"
        prefsKey="cloud-accounts"
        list={list}
        load={load}
        exportPath={`/api/v1/cloud/organisations/${encodeURIComponent(org.id)}/accounts/export`}
        columns={columns}
        rowKey={(a) => a.id}
        reload={org.account_count}
        onPage={(p) => p.items[0] && setFirstAccount((cur) => cur ?? p.items[0].id)}
        actions={() =>
          edit && (
            <button type="button" className="primary" onClick={() => setAdding(true)}>
              Add account
            </button>
          )
        }
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No account matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>No account in this organisation yet. {edit ? "Add account registers an AWS account id or an OCI tenancy OCID." : ""}</p>
          )
        }
      />
    </div>
  );
}

function NewAccount({ org, onDone }: { org: Org; onDone(created?: boolean): void }) {
  const navigate = useNavigate();
  const [provider, setProvider] = useState<Provider>("aws");
  const [identifier, setIdentifier] = useState("");
  const [name, setName] = useState("");
  const [mode, setMode] = useState<Schemas["CloudOverrideMode"]>("fill_gaps");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    const ie = identifierError(provider, identifier);
    if (ie) found["/identifier"] = ie;
    if (!name.trim()) found["/name"] = "Give the account a name.";
    setErrors(found);
    if (Object.keys(found).length) return;
    const { data, error: err } = await api.POST("/api/v1/cloud/organisations/{organisation_id}/accounts", {
      params: { path: { organisation_id: org.id } },
      body: { provider, identifier: identifier.trim(), name: name.trim(), override_mode: mode },
    });
    if (data) {
      onDone(true);
      navigate(`/cloud/accounts/${encodeURIComponent(data.id)}`);
      return;
    }
    const field = (err as { error?: { field?: string; message?: string } } | undefined)?.error;
    if (field?.field === "/identifier" || field?.field === "/name") setErrors({ [field.field]: field.message ?? "wrong" });
    else setGeneral(errorMessage(err, "Adding the account failed"));
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="new-account-title" noValidate>
      <h3 id="new-account-title">Add an account to {org.name}</h3>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="acct-provider">Provider</label>
          <select id="acct-provider" value={provider} onChange={(e) => setProvider(e.target.value as Provider)}>
            <option value="aws">AWS account</option>
            <option value="oci">OCI tenancy</option>
          </select>
        </div>
        <div className={`field${errors["/identifier"] ? " invalid" : ""}`}>
          <label htmlFor="acct-identifier">{provider === "aws" ? "AWS account id" : "Tenancy OCID"}</label>
          <input
            id="acct-identifier"
            value={identifier}
            maxLength={256}
            placeholder={provider === "aws" ? "123456789012" : "ocid1.tenancy.oc1..aaaa…"}
            onChange={(e) => setIdentifier(e.target.value)}
            aria-invalid={errors["/identifier"] ? true : undefined}
            aria-describedby={errors["/identifier"] ? "acct-identifier-err" : undefined}
          />
          {errors["/identifier"] && (
            <span id="acct-identifier-err" className="field-error" role="alert">
              {errors["/identifier"]}
            </span>
          )}
        </div>
        <div className={`field${errors["/name"] ? " invalid" : ""}`}>
          <label htmlFor="acct-name">Name</label>
          <input id="acct-name" value={name} maxLength={128} onChange={(e) => setName(e.target.value)} aria-invalid={errors["/name"] ? true : undefined} aria-describedby={errors["/name"] ? "acct-name-err" : undefined} />
          {errors["/name"] && (
            <span id="acct-name-err" className="field-error" role="alert">
              {errors["/name"]}
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor="acct-mode">Its own rule settings</label>
          <select id="acct-mode" value={mode} onChange={(e) => setMode(e.target.value as Schemas["CloudOverrideMode"])}>
            <option value="fill_gaps">fill the organisation's gaps</option>
            <option value="overwrite">overwrite the organisation's, rule by rule</option>
          </select>
        </div>
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
        <button type="submit" className="primary">
          Add account
        </button>
      </div>
    </form>
  );
}
