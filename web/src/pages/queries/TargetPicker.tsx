// Where a live query runs: all hosts, or any of some labels plus named hosts,
// with a live count of the hosts that match (the server's dry run of the
// same request, so the count is exactly what Run would ask). It holds the
// choice only; the page builds the request. Label and host names are text.
import { useEffect, useState } from "react";
import { api, errorMessage, type Schemas } from "../../api/client";
import { targetsOf } from "../../lib/liveRun";

export interface TargetChoice {
  all: boolean;
  labels: string[];
  hosts: { id: string; hostname: string }[];
}

export const NO_TARGETS: TargetChoice = { all: false, labels: [], hosts: [] };

const LABEL_LIMIT = 200;
const HOST_SEARCH_LIMIT = 20;

export function choiceTargets(c: TargetChoice) {
  return targetsOf({ all: c.all, labels: c.labels, hostIds: c.hosts.map((h) => h.id) });
}

export function TargetPicker({ value, onChange, canCount }: { value: TargetChoice; onChange(c: TargetChoice): void; canCount: boolean }) {
  const [labels, setLabels] = useState<Schemas["LabelList"] | null>(null);
  const [labelError, setLabelError] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [found, setFound] = useState<Schemas["HostList"] | null>(null);
  const [count, setCount] = useState<{ targeted: number; offline: number } | { error: string } | null>(null);

  useEffect(() => {
    api.GET("/api/v1/labels", { params: { query: { limit: LABEL_LIMIT } } }).then(({ data, error }) => {
      if (data) setLabels(data);
      else setLabelError(errorMessage(error, "Loading labels failed"));
    });
  }, []);

  useEffect(() => {
    let cancelled = false;
    const t = setTimeout(() => {
      api
        .GET("/api/v1/hosts", { params: { query: { limit: HOST_SEARCH_LIMIT, sort: "hostname", ...(search.trim() ? { q: search.trim() } : {}) } } })
        .then(({ data }) => !cancelled && data && setFound(data));
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [search]);

  // The live count: a dry run of the same targets (changes nothing).
  const targets = choiceTargets(value);
  const key = JSON.stringify(targets);
  useEffect(() => {
    if (!canCount) return;
    if (!targets) {
      setCount({ targeted: 0, offline: 0 });
      return;
    }
    let cancelled = false;
    const t = setTimeout(() => {
      api.POST("/api/v1/queries", { body: { sql: "SELECT 1", targets, dry_run: true } }).then(({ data, error, response }) => {
        if (cancelled) return;
        if (data && "dry_run" in data) setCount({ targeted: data.targeted, offline: data.offline });
        else if (response.status === 422) setCount({ targeted: 0, offline: 0 });
        else setCount({ error: errorMessage(error, "Counting hosts failed") });
      });
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
    // `key` stands for `targets`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, canCount]);

  const toggleLabel = (name: string) =>
    onChange({ ...value, labels: value.labels.includes(name) ? value.labels.filter((l) => l !== name) : [...value.labels, name] });
  const addHost = (h: { id: string; hostname: string }) => {
    if (!value.hosts.some((x) => x.id === h.id)) onChange({ ...value, hosts: [...value.hosts, h] });
  };
  const removeHost = (id: string) => onChange({ ...value, hosts: value.hosts.filter((h) => h.id !== id) });

  return (
    <fieldset className="targets">
      <legend>Targets</legend>
      <div className="target-mode">
        <label className="inline">
          <input type="radio" name="target-mode" checked={value.all} onChange={() => onChange({ ...value, all: true })} />
          All hosts
        </label>
        <label className="inline">
          <input type="radio" name="target-mode" checked={!value.all} onChange={() => onChange({ ...value, all: false })} />
          Labels and hosts
        </label>
        <span className="target-count" role="status" aria-live="polite">
          {!canCount ? null : count === null ? (
            "Counting hosts…"
          ) : "error" in count ? (
            <span className="error">{count.error}</span>
          ) : (
            <>
              <span className="count" data-testid="target-count">
                {count.targeted}
              </span>{" "}
              matching host{count.targeted === 1 ? "" : "s"}
              {count.offline > 0 && <span className="muted"> ({count.offline} offline now)</span>}
            </>
          )}
        </span>
      </div>
      {!value.all && (
        <div className="target-choice">
          <div>
            <h2 className="small-heading">Labels (hosts with any of them)</h2>
            {labelError && <p className="error">{labelError}</p>}
            {labels && labels.items.length === 0 && <p className="muted">No host carries a label yet (labels come from enrol secrets and the host page).</p>}
            <ul className="checklist">
              {labels?.items.map((l) => (
                <li key={l.name}>
                  <label className="inline">
                    <input type="checkbox" checked={value.labels.includes(l.name)} onChange={() => toggleLabel(l.name)} />
                    {l.name} <span className="muted">({l.host_count})</span>
                  </label>
                </li>
              ))}
            </ul>
            {labels && labels.total > labels.items.length && (
              <p className="notice small">Showing the first {labels.items.length} of {labels.total} labels.</p>
            )}
          </div>
          <div>
            <h2 className="small-heading">Hosts</h2>
            <label>
              Find hosts
              <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="host name, machine id" />
            </label>
            <ul className="checklist">
              {found?.items.map((h) => {
                const chosen = value.hosts.some((x) => x.id === h.id);
                return (
                  <li key={h.id}>
                    <button type="button" className="link" disabled={chosen} onClick={() => addHost({ id: h.id, hostname: h.hostname })} aria-label={`Add host ${h.hostname}`}>
                      {h.hostname}
                    </button>{" "}
                    <span className="muted small">{h.status}</span>
                  </li>
                );
              })}
            </ul>
            {found && found.total > found.items.length && <p className="muted small">{found.total - found.items.length} more; narrow the search.</p>}
            {found && found.items.length === 0 && <p className="muted">No host matches.</p>}
          </div>
          <div>
            <h2 className="small-heading">Chosen hosts</h2>
            {value.hosts.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="chips">
                {value.hosts.map((h) => (
                  <li key={h.id}>
                    <span>{h.hostname}</span>
                    <button type="button" onClick={() => removeHost(h.id)} aria-label={`Remove host ${h.hostname}`}>
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
    </fieldset>
  );
}
