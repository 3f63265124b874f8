// A host's effective recipe settings: every rule's setting, its value and
// where it comes from (host override, attachment, recipe, default), the
// winning attachment and the config etag its agent gets. The host is chosen
// from a list and kept in the URL (?tab=effective&host=ID). Read-only: the
// host's own overrides are shown, changed through the API.
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { TargetText, useHosts } from "../components/Target";

type Effective = Schemas["EffectiveSettings"];
type Override = Schemas["HostRecipeOverride"];

const SOURCE_LABEL: Record<Schemas["EffectiveSetting"]["source_kind"], string> = {
  host_override: "host override",
  attachment: "attachment",
  recipe: "recipe",
  default: "default",
};

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

export function EffectiveSettingsTab() {
  const hosts = useHosts();
  const [params, setParams] = useSearchParams();
  const hostId = params.get("host") ?? "";
  const [data, setData] = useState<Effective | null>(null);
  const [override, setOverride] = useState<Override | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setData(null);
    setOverride(null);
    setError(null);
    if (!hostId) return;
    let cancelled = false;
    const path = { host_id: hostId };
    api.GET("/api/v1/hosts/{host_id}/effective-settings", { params: { path } }).then(({ data: d, error: e }) => {
      if (cancelled) return;
      if (d) setData(d);
      else setError(errorMessage(e, "Loading the effective settings failed"));
    });
    api.GET("/api/v1/hosts/{host_id}/recipe-override", { params: { path } }).then(({ data: d }) => {
      if (!cancelled && d) setOverride(d);
    });
    return () => {
      cancelled = true;
    };
  }, [hostId]);

  const host = hosts.find((h) => h.id === hostId);
  return (
    <div>
      <div className="filters">
        <label>
          Host
          <select
            value={hostId}
            onChange={(e) => {
              const next = new URLSearchParams({ tab: "effective" });
              if (e.target.value) next.set("host", e.target.value);
              setParams(next);
            }}
          >
            <option value="">choose a host…</option>
            {hosts.map((h) => (
              <option key={h.id} value={h.id}>
                {h.hostname}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!hostId && (
        <div className="empty" role="status">
          <p>Choose a host to see each detector setting it runs with and where the value comes from: its own override, its attachment's overrides, the recipe, or the default.</p>
          {hosts.length === 0 && <p>No host is enrolled yet.</p>}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <>
          <dl className="facts wide">
            <dt>Host</dt>
            <dd>{host ? <Link to={`/hosts/${encodeURIComponent(host.id)}`}>{host.hostname}</Link> : `#${hostId}`}</dd>
            <dt>Recipe</dt>
            <dd>
              {data.recipe ? (
                <>
                  <Link to={`/recipes/${encodeURIComponent(data.recipe.id)}`}>{data.recipe.name}</Link> <span className="muted">(revision {data.recipe.revision})</span>
                </>
              ) : (
                <span className="muted">none attached: the agent's file and the detectors' defaults decide</span>
              )}
            </dd>
            <dt>Attachment</dt>
            <dd>
              {data.attachment ? (
                <>
                  #{data.attachment.id}: <TargetText target={data.attachment.target} hosts={hosts} />, priority {data.attachment.priority}
                </>
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
            <dt>Host override</dt>
            <dd>{override && Object.keys(override.rules).length ? <code>{JSON.stringify(override.rules)}</code> : <span className="muted">none</span>}</dd>
            <dt>Config etag</dt>
            <dd>
              <code>{data.config_etag}</code>
            </dd>
          </dl>
          <div className="table-wrap">
            <table className="grid">
              <caption>Effective settings of {host?.hostname ?? `host ${hostId}`}</caption>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Setting</th>
                  <th scope="col">Value</th>
                  <th scope="col">Comes from</th>
                </tr>
              </thead>
              <tbody>
                {data.settings.map((s) => (
                  <tr key={`${s.rule_id} ${s.setting}`}>
                    <td>
                      <code>{s.rule_id}</code>
                    </td>
                    <td>
                      <code>{s.setting}</code>
                    </td>
                    <td>
                      {s.value === null && s.source_kind === "default" ? <span className="muted">the agent's file or the detector's default</span> : <code>{formatValue(s.value)}</code>}
                    </td>
                    <td>
                      <span className={`badge source-${s.source_kind}`}>{SOURCE_LABEL[s.source_kind]}</span> <span className="small">{s.source}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.settings.length === 0 && (
            <div className="empty" role="status">
              <p>No setting is listed for this host.</p>
            </div>
          )}
        </>
      )}
    </div>
  );
}
