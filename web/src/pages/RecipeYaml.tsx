// A recipe as YAML: the read-only view of GET .../yaml (the agent's
// `recipe:` section) with a download, and the import dialog (PUT
// /recipes/import: paste or choose a file; creates or replaces the recipe of
// that name). The YAML is shown as plain text; nothing here parses YAML —
// the server does, and its error (with line and column) is shown as it says.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, errorMessage, type Schemas } from "../api/client";

type Recipe = Schemas["Recipe"];

export function RecipeYamlView({ recipeId, revision, name }: { recipeId: string; revision: number; name: string }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.GET("/api/v1/recipes/{recipe_id}/yaml", { params: { path: { recipe_id: recipeId } }, parseAs: "text" }).then(({ data, error: e }) => {
      if (typeof data === "string") setText(data);
      else setError(errorMessage(e, "Loading the YAML failed"));
    });
  }, [recipeId, revision]);
  const href = `/api/v1/recipes/${encodeURIComponent(recipeId)}/yaml`;
  return (
    <div>
      <p>
        <a className="button" href={href} download={`${name.replace(/[^A-Za-z0-9._-]+/g, "_")}.yaml`}>
          Export YAML
        </a>{" "}
        <span className="muted small">The agent's <code>recipe:</code> section; Import YAML takes it back (rules as code).</span>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {text !== null && (
        <pre className="evidence" role="region" tabIndex={0} aria-label="Recipe YAML">
          {text}
        </pre>
      )}
    </div>
  );
}

export function ImportYamlDialog({ onClose, initial = "" }: { onClose(recipe?: Recipe): void; initial?: string }) {
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    first.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setError("Paste a recipe or choose a file first.");
    setBusy(true);
    const { data, error: err } = await api.PUT("/api/v1/recipes/import", {
      body: text,
      bodySerializer: (b: string) => b,
      headers: { "Content-Type": "application/yaml" },
    });
    setBusy(false);
    if (data) onClose(data);
    else setError(errorMessage(err, "Importing the recipe failed"));
  };
  return (
    <div className="backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="import-title" className="dialog wide">
        <form onSubmit={submit}>
          <h2 id="import-title">Import a recipe from YAML</h2>
          <p className="muted small">
            The agent's <code>recipe:</code> section (<code>name</code>, <code>description</code>, <code>rules</code>) or an agent.yaml with it. A recipe of that name is replaced
            whole (its attachments stay); otherwise one is created.
          </p>
          <label>
            YAML file
            <input
              type="file"
              accept=".yaml,.yml,application/yaml,text/yaml"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (f) setText(await f.text());
              }}
            />
          </label>
          <label>
            YAML
            <textarea ref={first} className="code" rows={14} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
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
              Import
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
