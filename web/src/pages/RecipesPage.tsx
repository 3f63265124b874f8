// Recipes: three tabs, each its own URL — the recipe list (search, sort,
// paging, export, new recipe, YAML import), Suppressions (?tab=suppressions)
// and a host's effective settings (?tab=effective&host=ID). A recipe opens on
// its own page (RecipePage). It does not edit recipes inline in the list.
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { useSession } from "../session";
import { Time } from "../components/Time";
import { Pager } from "../components/Pager";
import { usePagedList } from "../lib/usePagedList";
import { SuppressionsTab } from "./SuppressionsTab";
import { EffectiveSettingsTab } from "./EffectiveSettingsTab";
import { ImportYamlDialog } from "./RecipeYaml";

type Recipe = Schemas["Recipe"];
type RecipeSort = "name" | "-name" | "created_at" | "-created_at" | "updated_at" | "-updated_at";
const SORTS: RecipeSort[] = ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"];
const PAGE = 50;

const TABS = [
  ["recipes", "Recipes"],
  ["suppressions", "Suppressions"],
  ["effective", "Effective settings"],
] as const;

export function RecipesPage() {
  const [params] = useSearchParams();
  const tab = params.get("tab") ?? "recipes";
  return (
    <section className="page">
      <h1>Recipes</h1>
      <nav aria-label="Recipe views" className="tabs">
        <ul>
          {TABS.map(([id, label]) => (
            <li key={id}>
              <Link to={id === "recipes" ? "/recipes" : `/recipes?tab=${id}`} aria-current={tab === id ? "page" : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {tab === "suppressions" ? <SuppressionsTab /> : tab === "effective" ? <EffectiveSettingsTab /> : <RecipeList />}
    </section>
  );
}

function sortButton(current: RecipeSort, field: "name" | "updated_at", label: string, set: (s: RecipeSort) => void) {
  const state = current === field ? "ascending" : current === `-${field}` ? "descending" : "none";
  const next = (current === field ? `-${field}` : field) as RecipeSort;
  return (
    <th scope="col" aria-sort={state}>
      <button type="button" className="sort" onClick={() => set(next)}>
        {label}
      </button>
    </th>
  );
}

function RecipeList() {
  const { session } = useSession();
  const admin = session?.user.role === "admin";
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const q = params.get("q") ?? "";
  const sortParam = params.get("sort") as RecipeSort | null;
  const sort: RecipeSort = sortParam && SORTS.includes(sortParam) ? sortParam : "name";
  const [text, setText] = useState(q);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const list = usePagedList<Recipe>(
    (cursor) => api.GET("/api/v1/recipes", { params: { query: { limit: PAGE, sort, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } } }),
    `${q}|${sort}`,
    "recipes",
  );

  const setUrl = (change: { q?: string; sort?: RecipeSort }) => {
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
    return `/api/v1/recipes/export?${p}`;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setUrl({ q: text.trim() });
  };

  return (
    <>
      <form className="filters" role="search" onSubmit={submit}>
        <label>
          Search recipes
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name" />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      <div className="toolbar" role="toolbar" aria-label="Actions on the recipe list">
        <span className="muted">{list.result ? `${list.result.total.toLocaleString()} recipe${list.result.total === 1 ? "" : "s"}` : ""}</span>
        <a className="button" href={exportHref("csv")} download="recipes.csv">
          Export CSV
        </a>
        <a className="button" href={exportHref("jsonl")} download="recipes.jsonl">
          Export JSON lines
        </a>
        {admin && (
          <>
            <button type="button" onClick={() => setImporting(true)}>
              Import YAML
            </button>
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New recipe
            </button>
          </>
        )}
      </div>
      {creating && <NewRecipeForm onDone={(id) => (id ? navigate(`/recipes/${encodeURIComponent(id)}`) : setCreating(false))} />}
      {importing && (
        <ImportYamlDialog
          onClose={(recipe) => {
            setImporting(false);
            if (recipe) navigate(`/recipes/${encodeURIComponent(recipe.id)}`);
          }}
        />
      )}
      {list.error && (
        <p className="error" role="alert">
          {list.error}
        </p>
      )}
      <div className="table-wrap">
        <table className="grid" aria-busy={list.loading}>
          <caption className="sr-only">Recipes, sorted by {sort}</caption>
          <thead>
            <tr>
              {sortButton(sort, "name", "Recipe", (s) => setUrl({ sort: s }))}
              <th scope="col">Description</th>
              <th scope="col">Rules</th>
              <th scope="col" className="num">
                Attachments
              </th>
              <th scope="col" className="num">
                Revision
              </th>
              {sortButton(sort, "updated_at", "Changed", (s) => setUrl({ sort: s }))}
            </tr>
          </thead>
          <tbody>
            {list.items.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/recipes/${encodeURIComponent(r.id)}`}>{r.name}</Link>
                </td>
                <td>{r.description}</td>
                <td>{Object.keys(r.rules).join(", ") || <span className="muted">none set</span>}</td>
                <td className="num">{r.attachments}</td>
                <td className="num">{r.revision}</td>
                <td>
                  <Time value={r.updated_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.result && list.items.length === 0 && (
        <div className="empty" role="status">
          {q ? (
            <p>No recipe matches “{q}”.</p>
          ) : (
            <p>
              No recipe yet: every host runs its agent file's recipe and the detectors' defaults.{" "}
              {admin ? "Make one with New recipe, or import an agent.yaml recipe section with Import YAML." : "An admin can make one."}
            </p>
          )}
        </div>
      )}
      {list.result && (
        <Pager page={list.pager.page} pageSize={PAGE} shown={list.items.length} total={list.result.total} hasNext={list.pager.hasNext} onPrevious={list.pager.onPrevious} onNext={list.pager.onNext} />
      )}
    </>
  );
}

function NewRecipeForm({ onDone }: { onDone(id?: string): void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError("Give the recipe a name.");
    setBusy(true);
    const { data, error: err } = await api.POST("/api/v1/recipes", { body: { name: name.trim(), description, rules: {} } });
    setBusy(false);
    if (data) onDone(data.id);
    else setError(errorMessage(err, "Creating the recipe failed"));
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="new-recipe-title">
      <h2 id="new-recipe-title">New recipe</h2>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={128} required autoFocus />
      </label>
      <label>
        Description
        <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1024} />
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
        <button type="submit" className="primary" disabled={busy}>
          Create
        </button>
      </div>
    </form>
  );
}
