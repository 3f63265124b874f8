// Recipes: three tabs, each its own URL — the recipe list (on the shared
// list component: search, sort, paging, export, columns; new recipe, YAML
// import), Suppressions (?tab=suppressions)
// and a host's effective settings (?tab=effective&host=ID). A recipe opens on
// its own page (RecipePage). It does not edit recipes inline in the list.
import { useCallback, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { useSession } from "../session";
import { Time } from "../components/Time";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";
import { RECIPE_LIST } from "../lib/recipeCloudSpecs";
import { SuppressionsTab } from "./SuppressionsTab";
import { EffectiveSettingsTab } from "./EffectiveSettingsTab";
import { ImportYamlDialog } from "./RecipeYaml";

type Recipe = Schemas["Recipe"];

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

type RecipeQuery = QueryOf<"/api/v1/recipes">;

function RecipeList() {
  const { session } = useSession();
  const admin = session?.user.role === "admin";
  const navigate = useNavigate();
  const list = useListState(RECIPE_LIST);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/recipes", { params: { query: query as RecipeQuery } }), []);
  const columns = useMemo<Column<Recipe>[]>(
    () => [
      { id: "name", label: "Recipe", sort: "name", required: true, cell: (r) => <Link to={`/recipes/${encodeURIComponent(r.id)}`}>{r.name}</Link> },
      { id: "description", label: "Description", cell: (r) => r.description },
      { id: "rules", label: "Rules", cell: (r) => Object.keys(r.rules).join(", ") || <span className="muted">none set</span> },
      { id: "attachments", label: "Attachments", className: "num", cell: (r) => r.attachments },
      { id: "revision", label: "Revision", className: "num", cell: (r) => r.revision },
      { id: "created", label: "Created", sort: "created_at", shown: false, cell: (r) => <Time value={r.created_at} /> },
      { id: "updated", label: "Changed", sort: "updated_at", cell: (r) => <Time value={r.updated_at} /> },
    ],
    [],
  );
  const q = list.state.filters.q as string;

  return (
    <>
      <ListFilters list={list} label="Recipe search" search submitLabel="Search" fields={[{ key: "q", label: "Search recipes", control: "text", placeholder: "name" }]} />
      {creating && <NewRecipeForm onDone={(id) => (id ? navigate(`/recipes/${encodeURIComponent(id)}`) : setCreating(false))} />}
      {importing && (
        <ImportYamlDialog
          onClose={(recipe) => {
            setImporting(false);
            if (recipe) navigate(`/recipes/${encodeURIComponent(recipe.id)}`);
          }}
        />
      )}
      <DataList
        name="Recipes"
        prefsKey="recipes"
        list={list}
        load={load}
        exportPath="/api/v1/recipes/export"
        columns={columns}
        rowKey={(r) => r.id}
        actions={() =>
          admin && (
            <>
              <button type="button" onClick={() => setImporting(true)}>
                Import YAML
              </button>
              <button type="button" className="primary" onClick={() => setCreating(true)}>
                New recipe
              </button>
            </>
          )
        }
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No recipe matches “{q}”.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the search
              </button>
            </p>
          ) : (
            <p>
              No recipe yet: every host runs its agent file's recipe and the detectors' defaults.{" "}
              {admin ? "Make one with New recipe, or import an agent.yaml recipe section with Import YAML." : "An admin can make one."}
            </p>
          )
        }
      />
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
