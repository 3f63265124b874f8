// Cloud: the organisations (groups of AWS accounts and OCI tenancies that
// share rule settings) on the shared list component — search and sort kept
// in the URL, paging, export, columns; create. An organisation opens on its
// own page with its accounts and rule settings; an account's page has its
// sources.
import { useCallback, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import { Time } from "../components/Time";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";
import { ORGANISATION_LIST } from "../lib/recipeCloudSpecs";

type Org = Schemas["CloudOrganisation"];

type OrgQuery = QueryOf<"/api/v1/cloud/organisations">;

export function CloudPage() {
  const { session } = useSession();
  const edit = canTriage(session);
  const navigate = useNavigate();
  const list = useListState(ORGANISATION_LIST);
  const [creating, setCreating] = useState(false);
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/cloud/organisations", { params: { query: query as OrgQuery } }), []);
  const columns = useMemo<Column<Org>[]>(
    () => [
      { id: "name", label: "Organisation", sort: "name", required: true, cell: (o) => <Link to={`/cloud/organisations/${encodeURIComponent(o.id)}`}>{o.name}</Link> },
      { id: "description", label: "Description", cell: (o) => o.description },
      { id: "accounts", label: "Accounts", className: "num", cell: (o) => o.account_count },
      { id: "rules", label: "Rules set", cell: (o) => Object.keys(o.rules).join(", ") || <span className="muted">none</span> },
      { id: "created", label: "Created", sort: "created_at", shown: false, cell: (o) => <Time value={o.created_at} /> },
      { id: "updated", label: "Changed", sort: "updated_at", cell: (o) => <Time value={o.updated_at} /> },
    ],
    [],
  );
  const q = list.state.filters.q as string;

  return (
    <section className="page">
      <h1>Cloud</h1>
      <p className="muted">
        Organisations group AWS accounts and OCI tenancies that share CloudTrail / OCI Audit rule settings; an account may fill the organisation's gaps or overwrite its rules.
      </p>
      <h2>Organisations</h2>
      <ListFilters list={list} label="Organisation search" search submitLabel="Search" fields={[{ key: "q", label: "Search organisations", control: "text", placeholder: "name" }]} />
      {creating && <NewOrganisation onDone={(id) => (id ? navigate(`/cloud/organisations/${encodeURIComponent(id)}`) : setCreating(false))} />}
      <DataList
        name="Organisations"
        prefsKey="cloud-organisations"
        list={list}
        load={load}
        exportPath="/api/v1/cloud/organisations/export"
        columns={columns}
        rowKey={(o) => o.id}
        actions={() =>
          edit && (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New organisation
            </button>
          )
        }
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No organisation matches “{q}”.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the search
              </button>
            </p>
          ) : (
            <p>No cloud organisation yet. {edit ? "New organisation makes one; then add its AWS accounts or OCI tenancies." : "An admin or analyst can make one."}</p>
          )
        }
      />

      <p className="muted">Each account's sources — the directories of its audit logs the server follows — and their health are on the account's page.</p>
    </section>
  );
}

function NewOrganisation({ onDone }: { onDone(id?: string): void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError("Give the organisation a name.");
    const { data, error: err } = await api.POST("/api/v1/cloud/organisations", { body: { name: name.trim(), description } });
    if (data) onDone(data.id);
    else setError(errorMessage(err, "Creating the organisation failed"));
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="new-org-title" noValidate>
      <h3 id="new-org-title">New organisation</h3>
      <label>
        Name
        <input value={name} maxLength={128} onChange={(e) => setName(e.target.value)} autoFocus aria-invalid={error ? true : undefined} />
      </label>
      <label>
        Description
        <input value={description} maxLength={4096} onChange={(e) => setDescription(e.target.value)} />
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
          Create
        </button>
      </div>
    </form>
  );
}
