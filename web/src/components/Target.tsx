// A RecipeTarget (all hosts, a label, named hosts) as text and as a form
// fieldset, shared by recipe attachments and suppressions. The host choice
// lists the enrolled hosts by name (first 1000); it does not page or search.
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api, type Schemas } from "../api/client";

export type RecipeTarget = Schemas["RecipeTarget"];
type Host = Schemas["Host"];

export function useHosts(): Host[] {
  const [hosts, setHosts] = useState<Host[]>([]);
  useEffect(() => {
    api.GET("/api/v1/hosts", { params: { query: { limit: 1000, sort: "hostname" } } }).then(({ data }) => {
      if (data) setHosts(data.items);
    });
  }, []);
  return hosts;
}

export function TargetText({ target, hosts }: { target: RecipeTarget; hosts: Host[] }) {
  if (target.kind === "all") return <>all hosts</>;
  if (target.kind === "label") return <>label {target.label}</>;
  const ids = target.host_ids ?? [];
  return (
    <>
      {ids.length === 1 ? "host " : "hosts "}
      {ids.map((id, i) => {
        const h = hosts.find((x) => x.id === id);
        return (
          <span key={id}>
            {i > 0 && ", "}
            <Link to={`/hosts/${encodeURIComponent(id)}`}>{h ? h.hostname : `#${id}`}</Link>
          </span>
        );
      })}
    </>
  );
}

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  );
}

// Client checks that match the server's (a label `key=value` or a word, host ids given).
export function targetError(t: RecipeTarget): string | null {
  if (t.kind === "label" && !(t.label ?? "").trim()) return "Give the label, e.g. env=prod.";
  if (t.kind === "hosts" && !(t.host_ids ?? []).length) return "Choose at least one host.";
  return null;
}

export function cleanTarget(t: RecipeTarget): RecipeTarget {
  if (t.kind === "all") return { kind: "all" };
  if (t.kind === "label") return { kind: "label", label: (t.label ?? "").trim() };
  return { kind: "hosts", host_ids: t.host_ids ?? [] };
}

export function TargetFields({
  value,
  onChange,
  hosts,
  error,
  idPrefix,
}: {
  value: RecipeTarget;
  onChange(t: RecipeTarget): void;
  hosts: Host[];
  error?: string;
  idPrefix: string;
}) {
  const ids = value.host_ids ?? [];
  return (
    <fieldset className="target" aria-describedby={error ? `${idPrefix}-target-error` : undefined}>
      <legend>Target</legend>
      <div className="radios">
        {(["all", "label", "hosts"] as const).map((k) => (
          <label key={k} className="inline">
            <input type="radio" name={`${idPrefix}-kind`} checked={value.kind === k} onChange={() => onChange({ ...value, kind: k })} />
            {k === "all" ? "All hosts" : k === "label" ? "Hosts with a label" : "Named hosts"}
          </label>
        ))}
      </div>
      {value.kind === "label" && (
        <label>
          Label
          <input value={value.label ?? ""} maxLength={128} placeholder="env=prod" onChange={(e) => onChange({ ...value, label: e.target.value })} />
        </label>
      )}
      {value.kind === "hosts" && (
        <div className="host-choice" role="group" aria-label="Hosts">
          {hosts.length === 0 && <p className="muted">No host is enrolled yet.</p>}
          {hosts.map((h) => (
            <label key={h.id} className="inline">
              <input
                type="checkbox"
                checked={ids.includes(h.id)}
                onChange={(e) => onChange({ ...value, host_ids: e.target.checked ? [...ids, h.id] : ids.filter((x) => x !== h.id) })}
              />
              {h.hostname}
            </label>
          ))}
        </div>
      )}
      <FieldError id={`${idPrefix}-target-error`} message={error} />
    </fieldset>
  );
}
