// One recipe: its detector settings as a form (checked like the agent's
// readers before sending; the server's 422 shown next to the field it
// names), clone, delete, its attachments (add with a target and priority,
// remove) and its YAML. Only admins see the controls that change anything;
// the server enforces it anyway. Attachment overrides are shown, not edited
// here (they take the same shape; the API's PATCH sets them).
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { useSession } from "../session";
import { Time } from "../components/Time";
import { DataList, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";
import { ATTACHMENT_LIST } from "../lib/recipeCloudSpecs";
import { TargetFields, TargetText, cleanTarget, targetError, useHosts, type RecipeTarget } from "../components/Target";
import { KNOWN_RULES, fieldForPointer, formFields, formToRules, rulesToForm, type FieldErrors, type RecipeForm } from "../lib/recipeForm";
import { RuleFields } from "./RecipeRuleFields";
import { RecipeYamlView } from "./RecipeYaml";

type Recipe = Schemas["Recipe"];
type Attachment = Schemas["RecipeAttachment"];
type AttachmentQuery = QueryOf<"/api/v1/recipes/{recipe_id}/attachments">;

function apiError(e: unknown): { code?: string; message?: string; field?: string } {
  return (e && typeof e === "object" && "error" in e ? (e as { error: { code?: string; message?: string; field?: string } }).error : {}) ?? {};
}

export function RecipePage() {
  const { recipeId = "" } = useParams();
  const { session } = useSession();
  const admin = session?.user.role === "admin";
  const navigate = useNavigate();
  const [recipe, setRecipe] = useState<Recipe | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [form, setForm] = useState<RecipeForm>(rulesToForm({}));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string; conflict?: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const adopt = useCallback((r: Recipe) => {
    setRecipe(r);
    setName(r.name);
    setDescription(r.description);
    setForm(rulesToForm(r.rules));
    setErrors({});
  }, []);

  const load = useCallback(() => {
    api.GET("/api/v1/recipes/{recipe_id}", { params: { path: { recipe_id: recipeId } } }).then(({ data, error }) => {
      if (data) adopt(data);
      else setLoadError(errorMessage(error, "Loading the recipe failed"));
    });
  }, [recipeId, adopt]);
  useEffect(load, [load]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!recipe) return;
    const { rules, errors: found } = formToRules(form);
    if (!name.trim()) found["/name"] = "Give the recipe a name.";
    setErrors(found);
    if (Object.keys(found).length) {
      setMessage({ kind: "error", text: `Not saved: ${Object.keys(found).length} field${Object.keys(found).length === 1 ? " is" : "s are"} wrong (marked below).` });
      return;
    }
    setBusy(true);
    const { data, error } = await api.PATCH("/api/v1/recipes/{recipe_id}", {
      params: { path: { recipe_id: recipe.id } },
      body: { name: name.trim(), description, rules, revision: recipe.revision },
    });
    setBusy(false);
    if (data) {
      adopt(data);
      setMessage({ kind: "ok", text: `Saved: revision ${data.revision}. Hosts it is attached to get it within one long-poll.` });
      return;
    }
    const err = apiError(error);
    if (err.code === "E_REVISION_CONFLICT") {
      setMessage({ kind: "error", text: "Someone changed this recipe meanwhile; nothing was saved. Reload it to see their change, then make yours again.", conflict: true });
    } else if (err.field) {
      const key = err.field === "/name" || err.field === "/description" ? err.field : fieldForPointer(err.field, formFields());
      setErrors({ [key]: err.message ?? "wrong" });
      setMessage({ kind: "error", text: `Not saved: the server refused ${err.field}: ${err.message ?? "wrong"}` });
    } else setMessage({ kind: "error", text: errorMessage(error, "Saving failed") });
  };

  if (loadError) {
    return (
      <section className="page">
        <p>
          <Link to="/recipes">Recipes</Link> /
        </p>
        <h1>Recipe</h1>
        <p className="error" role="alert">
          {loadError}
        </p>
      </section>
    );
  }
  if (!recipe) return <p className="loading">Loading…</p>;

  return (
    <section className="page">
      <p>
        <Link to="/recipes">Recipes</Link> /
      </p>
      <h1>{recipe.name}</h1>
      <dl className="facts wide">
        <dt>Revision</dt>
        <dd>{recipe.revision}</dd>
        <dt>Attachments</dt>
        <dd>{recipe.attachments}</dd>
        <dt>Changed</dt>
        <dd>
          <Time value={recipe.updated_at} />
        </dd>
      </dl>
      {admin && <RecipeActions recipe={recipe} onCloned={(id) => navigate(`/recipes/${encodeURIComponent(id)}`)} onDeleted={() => navigate("/recipes")} />}

      <h2>Detector settings</h2>
      {!admin && <p className="muted">Only admins change recipes; you see them read-only.</p>}
      <form className="recipe-form" onSubmit={save} noValidate>
        <fieldset disabled={!admin} className="plain">
          <div className="field-grid">
            <div className={`field${errors["/name"] ? " invalid" : ""}`}>
              <label htmlFor="recipe-name">Name</label>
              <input id="recipe-name" value={name} maxLength={128} onChange={(e) => setName(e.target.value)} aria-invalid={errors["/name"] ? true : undefined} aria-describedby={errors["/name"] ? "recipe-name-err" : undefined} />
              {errors["/name"] && (
                <span id="recipe-name-err" className="field-error" role="alert">
                  {errors["/name"]}
                </span>
              )}
            </div>
            <div className={`field${errors["/description"] ? " invalid" : ""}`}>
              <label htmlFor="recipe-description">Description</label>
              <input id="recipe-description" value={description} maxLength={1024} onChange={(e) => setDescription(e.target.value)} />
              {errors["/description"] && (
                <span className="field-error" role="alert">
                  {errors["/description"]}
                </span>
              )}
            </div>
          </div>
        </fieldset>
        {KNOWN_RULES.map((id) => (
          <RuleFields key={id} rule={id} form={form.rules[id]} errors={errors} disabled={!admin} onChange={(f) => setForm({ ...form, rules: { ...form.rules, [id]: f } })} />
        ))}
        {Object.keys(form.otherRules).length > 0 && (
          <p className="muted">
            Other rules in this recipe (kept as they are; edit them in YAML): <code>{Object.keys(form.otherRules).join(", ")}</code>
          </p>
        )}
        {message && (
          <p className={message.kind === "ok" ? "notice" : "error"} role={message.kind === "ok" ? "status" : "alert"}>
            {message.text}{" "}
            {message.conflict && (
              <button type="button" onClick={() => { setMessage(null); load(); }}>
                Reload
              </button>
            )}
          </p>
        )}
        {admin && (
          <div className="actions sticky-actions">
            <button type="button" onClick={() => { adopt(recipe); setMessage(null); }}>
              Discard changes
            </button>
            <button type="submit" className="primary" disabled={busy}>
              Save recipe
            </button>
          </div>
        )}
      </form>

      <h2>Attachments</h2>
      <Attachments recipe={recipe} admin={admin} onChange={load} />

      <h2>YAML</h2>
      <RecipeYamlView recipeId={recipe.id} revision={recipe.revision} name={recipe.name} />
    </section>
  );
}

function RecipeActions({ recipe, onCloned, onDeleted }: { recipe: Recipe; onCloned(id: string): void; onDeleted(): void }) {
  const [mode, setMode] = useState<"" | "clone" | "delete">("");
  const [cloneName, setCloneName] = useState(`${recipe.name} copy`);
  const [error, setError] = useState<string | null>(null);
  const clone = async (e: FormEvent) => {
    e.preventDefault();
    const { data, error: err } = await api.POST("/api/v1/recipes/{recipe_id}/clone", { params: { path: { recipe_id: recipe.id } }, body: { name: cloneName.trim() } });
    if (data) {
      setMode("");
      onCloned(data.id);
    } else setError(errorMessage(err, "Cloning failed"));
  };
  const remove = async () => {
    const { response, error: err } = await api.DELETE("/api/v1/recipes/{recipe_id}", { params: { path: { recipe_id: recipe.id } } });
    if (response.ok) onDeleted();
    else setError(apiError(err).code === "E_RECIPE_ATTACHED" ? "It is still attached: remove its attachments first (hosts never lose a recipe silently)." : errorMessage(err, "Deleting failed"));
  };
  return (
    <div className="toolbar" role="toolbar" aria-label="Recipe actions">
      <button type="button" onClick={() => { setMode("clone"); setError(null); }}>
        Clone…
      </button>
      <button type="button" onClick={() => { setMode("delete"); setError(null); }}>
        Delete…
      </button>
      {mode === "clone" && (
        <form className="inline-form" onSubmit={clone}>
          <label className="inline">
            Name of the copy
            <input value={cloneName} maxLength={128} onChange={(e) => setCloneName(e.target.value)} autoFocus />
          </label>
          <button type="submit" className="primary">
            Clone
          </button>
          <button type="button" onClick={() => setMode("")}>
            Cancel
          </button>
        </form>
      )}
      {mode === "delete" && (
        <span className="inline-form">
          <span>Delete “{recipe.name}”?</span>
          <button type="button" className="danger" onClick={remove}>
            Delete recipe
          </button>
          <button type="button" onClick={() => setMode("")}>
            Cancel
          </button>
        </span>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function Attachments({ recipe, admin, onChange }: { recipe: Recipe; admin: boolean; onChange(): void }) {
  const hosts = useHosts();
  const list = useListState(ATTACHMENT_LIST, "a_");
  const load = useCallback(
    (query: ListQuery) => api.GET("/api/v1/recipes/{recipe_id}/attachments", { params: { path: { recipe_id: recipe.id }, query: query as AttachmentQuery } }),
    [recipe.id],
  );
  const [adding, setAdding] = useState(false);
  const [target, setTarget] = useState<RecipeTarget>({ kind: "all" });
  const [priority, setPriority] = useState("0");
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const te = targetError(target);
    const p = Number(priority);
    if (te) return setError(te);
    if (!/^-?\d+$/.test(priority.trim()) || p < -1000 || p > 1000) return setError("Priority: a whole number from -1000 to 1000.");
    const { data, error: err } = await api.POST("/api/v1/recipes/{recipe_id}/attachments", {
      params: { path: { recipe_id: recipe.id } },
      body: { target: cleanTarget(target), priority: p },
    });
    if (!data) return setError(errorMessage(err, "Attaching failed"));
    setAdding(false);
    setError(null);
    setTarget({ kind: "all" });
    setNotice("Attached: the hosts it targets get the recipe within one long-poll.");
    onChange();
  };
  const remove = async (a: Attachment) => {
    const { response, error: err } = await api.DELETE("/api/v1/recipe-attachments/{attachment_id}", { params: { path: { attachment_id: a.id } } });
    if (!response.ok) return setError(errorMessage(err, "Removing the attachment failed"));
    setNotice("Removed: its hosts fall back to their next attachment (or the defaults).");
    onChange();
  };
  const columns: Column<Attachment>[] = [
    { id: "target", label: "Target", required: true, cell: (a) => <TargetText target={a.target} hosts={hosts} /> },
    { id: "priority", label: "Priority", sort: "priority", className: "num", cell: (a) => a.priority },
    { id: "overrides", label: "Overrides", cell: (a) => (Object.keys(a.overrides).length ? <code>{JSON.stringify(a.overrides)}</code> : <span className="muted">none</span>) },
    { id: "created", label: "Attached", sort: "created_at", cell: (a) => <Time value={a.created_at} /> },
  ];
  if (admin)
    columns.push({
      id: "action",
      label: "Action",
      required: true,
      cell: (a) => (
        <button type="button" onClick={() => remove(a)} aria-label={`Remove the attachment to ${a.target.kind === "all" ? "all hosts" : a.target.kind === "label" ? `label ${a.target.label}` : "named hosts"}`}>
          Remove
        </button>
      ),
    });

  return (
    <div>
      <p className="muted small">
        Each host takes one attachment: the most specific that matches it (named hosts, then label, then all hosts), then the highest priority, then the newest.
      </p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {adding && (
        <form className="panel" onSubmit={add} aria-labelledby="attach-title">
          <h3 id="attach-title">Attach “{recipe.name}”</h3>
          <TargetFields value={target} onChange={setTarget} hosts={hosts} idPrefix="attach" />
          <label>
            Priority
            <input inputMode="numeric" value={priority} onChange={(e) => setPriority(e.target.value)} />
          </label>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={() => { setAdding(false); setError(null); }}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Attach
            </button>
          </div>
        </form>
      )}
      {!adding && error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <DataList
        name="Attachments"
        prefsKey="recipe-attachments"
        list={list}
        load={load}
        exportPath={`/api/v1/recipes/${encodeURIComponent(recipe.id)}/attachments/export`}
        columns={columns}
        rowKey={(a) => a.id}
        reload={recipe.attachments + recipe.revision}
        actions={() =>
          admin && (
            <button type="button" className="primary" onClick={() => setAdding(true)}>
              Add attachment
            </button>
          )
        }
        empty={() => <p>Not attached anywhere: no host uses this recipe. {admin ? "Add an attachment to all hosts, a label or named hosts." : ""}</p>}
      />
    </div>
  );
}
