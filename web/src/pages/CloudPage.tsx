// Cloud: the organisations (groups of AWS accounts and OCI tenancies that
// share rule settings) — search and sort kept in the URL, paging, export,
// create — and the sources section, which the API does not serve yet (it
// says so rather than showing sample data). An organisation opens on its own
// page with its accounts and rule settings.
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import { Time } from "../components/Time";
import { Pager } from "../components/Pager";
import { usePagedList } from "../lib/usePagedList";

type Org = Schemas["CloudOrganisation"];
type Sort = "name" | "-name" | "created_at" | "-created_at" | "updated_at" | "-updated_at";
const SORTS: Sort[] = ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"];
const PAGE = 50;

export function CloudPage() {
  const { session } = useSession();
  const edit = canTriage(session);
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const sortParam = params.get("sort") as Sort | null;
  const sort: Sort = sortParam && SORTS.includes(sortParam) ? sortParam : "name";
  const [text, setText] = useState(q);
  const [creating, setCreating] = useState(false);
  const list = usePagedList<Org>(
    (cursor) => api.GET("/api/v1/cloud/organisations", { params: { query: { limit: PAGE, sort, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } } }),
    `${q}|${sort}`,
    "organisations",
  );
  const setUrl = (change: { q?: string; sort?: Sort }) => {
    const next = new URLSearchParams();
    const nq = change.q ?? q;
    const ns = change.sort ?? sort;
    if (nq) next.set("q", nq);
    if (ns !== "name") next.set("sort", ns);
    setParams(next);
  };
  const exportHref = (format: "csv" | "jsonl") => {
    const p = new URLSearchParams({ format, sort });
    if (q) p.set("q", q);
    return `/api/v1/cloud/organisations/export?${p}`;
  };
  const header = (field: "name" | "updated_at", label: string) => {
    const state = sort === field ? "ascending" : sort === `-${field}` ? "descending" : "none";
    return (
      <th scope="col" aria-sort={state}>
        <button type="button" className="sort" onClick={() => setUrl({ sort: (sort === field ? `-${field}` : field) as Sort })}>
          {label}
        </button>
      </th>
    );
  };

  return (
    <section className="page">
      <h1>Cloud</h1>
      <p className="muted">
        Organisations group AWS accounts and OCI tenancies that share CloudTrail / OCI Audit rule settings; an account may fill the organisation's gaps or overwrite its rules.
      </p>
      <h2>Organisations</h2>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setUrl({ q: text.trim() });
        }}
      >
        <label>
          Search organisations
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name" />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      <div className="toolbar" role="toolbar" aria-label="Actions on the organisations">
        <span className="muted">{list.result ? `${list.result.total.toLocaleString()} organisation${list.result.total === 1 ? "" : "s"}` : ""}</span>
        <a className="button" href={exportHref("csv")} download="organisations.csv">
          Export CSV
        </a>
        <a className="button" href={exportHref("jsonl")} download="organisations.jsonl">
          Export JSON lines
        </a>
        {edit && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New organisation
          </button>
        )}
      </div>
      {creating && <NewOrganisation onDone={(id) => (id ? navigate(`/cloud/organisations/${encodeURIComponent(id)}`) : setCreating(false))} />}
      {list.error && (
        <p className="error" role="alert">
          {list.error}
        </p>
      )}
      <div className="table-wrap">
        <table className="grid" aria-busy={list.loading}>
          <caption className="sr-only">Cloud organisations, sorted by {sort}</caption>
          <thead>
            <tr>
              {header("name", "Organisation")}
              <th scope="col">Description</th>
              <th scope="col" className="num">
                Accounts
              </th>
              <th scope="col">Rules set</th>
              {header("updated_at", "Changed")}
            </tr>
          </thead>
          <tbody>
            {list.items.map((o) => (
              <tr key={o.id}>
                <td>
                  <Link to={`/cloud/organisations/${encodeURIComponent(o.id)}`}>{o.name}</Link>
                </td>
                <td>{o.description}</td>
                <td className="num">{o.account_count}</td>
                <td>{Object.keys(o.rules).join(", ") || <span className="muted">none</span>}</td>
                <td>
                  <Time value={o.updated_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.result && list.items.length === 0 && (
        <div className="empty" role="status">
          {q ? <p>No organisation matches “{q}”.</p> : <p>No cloud organisation yet. {edit ? "New organisation makes one; then add its AWS accounts or OCI tenancies." : "An admin or analyst can make one."}</p>}
        </div>
      )}
      {list.result && (
        <Pager page={list.pager.page} pageSize={PAGE} shown={list.items.length} total={list.result.total} hasNext={list.pager.hasNext} onPrevious={list.pager.onPrevious} onNext={list.pager.onNext} />
      )}

      <h2>Sources</h2>
      <div className="empty" role="status">
        <p>
          <strong>Not available yet.</strong> Where each account's events come from (CloudTrail buckets, OCI Audit streams) with their health — lag, last event, errors — is not
          served by the API yet: the server keeps organisations, accounts and rule settings, and no source records. Until then, <code>warden trail watch</code> and{" "}
          <code>warden trail scan</code> report their own inputs (docs/cloudtrail.md).
        </p>
      </div>
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
