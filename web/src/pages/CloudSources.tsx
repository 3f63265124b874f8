// A cloud account's sources on its page: the directories of audit logs the
// server follows for it, each with its health (files read, events,
// findings, errors with the last one, when it last read a file), and for
// admins adding one, pausing and resuming it, and deleting it. The server
// reads the directory with its own rights, so only admins change sources.
// Not here: the files themselves or their events (the API does not serve
// them), uploads.
import { useCallback, useMemo, useState, type FormEvent } from "react";
import { api, errorMessage, type Schemas } from "../api/client";
import { useSession } from "../session";
import { DataList, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";
import { Time } from "../components/Time";
import { SOURCE_LIST } from "../lib/recipeCloudSpecs";

type Source = Schemas["CloudSource"];
type SourceQuery = QueryOf<"/api/v1/cloud/accounts/{account_id}/sources">;

export function CloudSources({ accountId }: { accountId: string }) {
  const { session } = useSession();
  const admin = session?.user.role === "admin";
  const list = useListState(SOURCE_LIST, "src.");
  const [adding, setAdding] = useState(false);
  const [changes, setChanges] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    (query: ListQuery) =>
      api.GET("/api/v1/cloud/accounts/{account_id}/sources", { params: { path: { account_id: accountId }, query: query as SourceQuery } }),
    [accountId],
  );
  const change = useCallback(async (s: Source, body: Schemas["CloudSourceUpdate"] | null) => {
    const path = { params: { path: { source_id: s.id } } };
    const { error: e } = body ? await api.PATCH("/api/v1/cloud/sources/{source_id}", { ...path, body }) : await api.DELETE("/api/v1/cloud/sources/{source_id}", path);
    if (e) setError(errorMessage(e, "Changing the source failed"));
    else {
      setError(null);
      setChanges((n) => n + 1);
    }
  }, []);
  const columns = useMemo<Column<Source>[]>(
    () => [
      { id: "name", label: "Source", sort: "name", required: true, cell: (s) => s.name },
      { id: "path", label: "Directory", cell: (s) => <code>{s.path}</code> },
      { id: "state", label: "State", cell: (s) => (s.enabled ? "following" : "paused") },
      { id: "read", label: "Last read", cell: (s) => (s.health.last_read_at ? <Time value={s.health.last_read_at} /> : <span className="muted">nothing yet</span>) },
      { id: "files", label: "Files", cell: (s) => s.health.files_read.toLocaleString() },
      { id: "events", label: "Events", cell: (s) => s.health.events.toLocaleString() },
      { id: "findings", label: "Findings", cell: (s) => s.health.findings.toLocaleString() },
      {
        id: "errors",
        label: "Errors",
        cell: (s) =>
          s.health.errors === 0 ? (
            "0"
          ) : (
            <span>
              {s.health.errors.toLocaleString()}: <span className="small">{s.health.last_error}</span>
            </span>
          ),
      },
      { id: "created", label: "Added", sort: "created_at", shown: false, cell: (s) => <Time value={s.created_at} /> },
      ...(admin
        ? [
            {
              id: "actions",
              label: "Actions",
              required: true,
              cell: (s: Source) => (
                <span className="row-actions">
                  <button type="button" onClick={() => change(s, { enabled: !s.enabled })} aria-label={`${s.enabled ? "Pause" : "Resume"} source ${s.name}`}>
                    {s.enabled ? "Pause" : "Resume"}
                  </button>
                  <button type="button" onClick={() => change(s, null)} aria-label={`Delete source ${s.name}`}>
                    Delete
                  </button>
                </span>
              ),
            },
          ]
        : []),
    ],
    [admin, change],
  );
  return (
    <div>
      {adding && (
        <NewSource
          accountId={accountId}
          onDone={(created) => {
            setAdding(false);
            if (created) setChanges((n) => n + 1);
          }}
        />
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <DataList
        name="Sources"
        prefsKey="cloud-sources"
        list={list}
        load={load}
        exportPath={`/api/v1/cloud/accounts/${encodeURIComponent(accountId)}/sources/export`}
        columns={columns}
        rowKey={(s) => s.id}
        reload={changes}
        actions={() =>
          admin && (
            <button type="button" className="primary" onClick={() => setAdding(true)}>
              Add source
            </button>
          )
        }
        empty={() => (
          <p>
            No source yet: the server reads none of this account's events. {admin ? "Add source follows a directory of its CloudTrail or OCI Audit logs on the server's machine." : "An admin can add a directory of its logs."}
          </p>
        )}
      />
    </div>
  );
}

function NewSource({ accountId, onDone }: { accountId: string; onDone(created?: boolean): void }) {
  const [name, setName] = useState("");
  const [path, setPath] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found["/name"] = "Give the source a name.";
    if (!path.startsWith("/")) found["/path"] = "An absolute directory on the server's machine, like /srv/cloudtrail/prod.";
    setErrors(found);
    if (Object.keys(found).length) return;
    const { data, error: err } = await api.POST("/api/v1/cloud/accounts/{account_id}/sources", {
      params: { path: { account_id: accountId } },
      body: { name: name.trim(), kind: "directory", path, enabled: true },
    });
    if (data) return onDone(true);
    const field = (err as { error?: { field?: string; message?: string } } | undefined)?.error;
    if (field?.field === "/path" || field?.field === "/name") setErrors({ [field.field]: field.message ?? "wrong" });
    else setGeneral(errorMessage(err, "Adding the source failed"));
  };
  const fieldOf = (key: string, id: string, label: string, value: string, set: (v: string) => void, placeholder: string) => (
    <div className={`field${errors[key] ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} maxLength={key === "/path" ? 4096 : 128} placeholder={placeholder} onChange={(e) => set(e.target.value)} aria-invalid={errors[key] ? true : undefined} aria-describedby={errors[key] ? `${id}-err` : undefined} />
      {errors[key] && (
        <span id={`${id}-err`} className="field-error" role="alert">
          {errors[key]}
        </span>
      )}
    </div>
  );
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="new-source-title" noValidate>
      <h3 id="new-source-title">Add a source</h3>
      <div className="field-grid">
        {fieldOf("/name", "source-name", "Name", name, setName, "trail")}
        {fieldOf("/path", "source-path", "Directory on the server", path, setPath, "/srv/cloudtrail/prod")}
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
          Add source
        </button>
      </div>
    </form>
  );
}
