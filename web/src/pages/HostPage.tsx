// One host: what it is, its problems, vulnerabilities, open ports, packages
// and detector runs, with "Run now". Each list shows its first page (the
// largest the API gives) and links to the full, filtered view or export.
import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import { safeHref } from "../lib/problemFilters";
import { Time } from "../components/Time";
import { Risk, Status } from "../components/Risk";

type Host = Schemas["Host"];
const LIMIT = 200;

function useList<T>(load: () => Promise<{ data?: { items: T[]; total: number }; error?: unknown }>, deps: unknown[]) {
  const [state, setState] = useState<{ items: T[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    load().then(({ data, error: e }) => {
      if (cancelled) return;
      if (data) setState({ items: data.items, total: data.total });
      else setError(errorMessage(e, "Loading failed"));
    });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { state, error };
}

function More({ shown, total, exportHref }: { shown: number; total: number; exportHref: string }) {
  if (total <= shown) return null;
  return (
    <p className="muted">
      Showing {shown} of {total.toLocaleString()}. <a href={exportHref}>Export all as CSV</a>.
    </p>
  );
}

export function HostPage() {
  const { hostId = "" } = useParams();
  const { session } = useSession();
  const [host, setHost] = useState<Host | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [runState, setRunState] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const path = { host_id: hostId };
  const base = `/api/v1/hosts/${encodeURIComponent(hostId)}`;

  useEffect(() => {
    api.GET("/api/v1/hosts/{host_id}", { params: { path } }).then(({ data, error: e }) => {
      if (data) setHost(data);
      else setError(errorMessage(e, "Loading the host failed"));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hostId, reload]);

  const problems = useList(() => api.GET("/api/v1/hosts/{host_id}/problems", { params: { path, query: { limit: LIMIT, sort: "-risk_level" } } }), [hostId, reload]);
  const vulns = useList(() => api.GET("/api/v1/hosts/{host_id}/vulnerabilities", { params: { path, query: { limit: LIMIT } } }), [hostId]);
  const ports = useList(() => api.GET("/api/v1/hosts/{host_id}/ports", { params: { path, query: { limit: LIMIT } } }), [hostId]);
  const packages = useList(() => api.GET("/api/v1/hosts/{host_id}/packages", { params: { path, query: { limit: LIMIT } } }), [hostId]);
  const scans = useList(() => api.GET("/api/v1/hosts/{host_id}/scans", { params: { path, query: { limit: 50 } } }), [hostId, reload]);

  const runNow = useCallback(async () => {
    setRunState("Requesting…");
    const { data, error: e } = await api.POST("/api/v1/hosts/{host_id}/scans", { params: { path: { host_id: hostId } }, body: {} });
    if (data) setRunState(`Requested (scan ${data.id}, ${data.state}); the agent runs its detectors at its next command poll.`);
    else setRunState(errorMessage(e, "Run now failed"));
    setTimeout(() => setReload((n) => n + 1), 3000);
  }, [hostId]);

  if (error) {
    return (
      <section className="page">
        <h1>Host</h1>
        <p className="error" role="alert">
          {error}
        </p>
        <Link to="/hosts">All hosts</Link>
      </section>
    );
  }
  if (!host) return <p className="loading">Loading…</p>;
  const unavailable = new Set(host.agent.unavailable);
  const notOffered = (what: string) => (
    <p className="muted">This host's agent ({host.agent.type}) does not report {what}.</p>
  );

  return (
    <section className="page">
      <p>
        <Link to="/hosts">Hosts</Link> /
      </p>
      <h1>{host.hostname}</h1>
      <dl className="facts wide">
        <dt>Status</dt>
        <dd>
          <span className={`badge host-${host.status}`}>{host.status}</span>
        </dd>
        <dt>Last seen</dt>
        <dd>
          <Time value={host.last_seen_at} empty="never" />
        </dd>
        <dt>OS</dt>
        <dd>
          {host.os.name} {host.os.version ?? ""} {host.kernel ? `(kernel ${host.kernel})` : ""}
        </dd>
        <dt>Agent</dt>
        <dd>
          {host.agent.type} {host.agent.version}
        </dd>
        <dt>Labels</dt>
        <dd>{host.labels.length ? host.labels.join(", ") : <span className="muted">none</span>}</dd>
        <dt>Enrolled</dt>
        <dd>
          <Time value={host.enrolled_at} />
        </dd>
        <dt>Machine id</dt>
        <dd>
          <code>{host.machine_id}</code>
        </dd>
      </dl>

      <section aria-labelledby="h-problems">
        <h2 id="h-problems">Problems</h2>
        {unavailable.has("problems") ? (
          notOffered("Warden problems")
        ) : problems.state && problems.state.items.length === 0 ? (
          <p className="empty">No problems on this host: its detectors found nothing (see the runs below).</p>
        ) : (
          <>
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">Risk</th>
                  <th scope="col">Problem</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last detected</th>
                </tr>
              </thead>
              <tbody>
                {problems.state?.items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Risk level={p.risk_level} />
                    </td>
                    <td>
                      <Link to={`/problems?host=${encodeURIComponent(host.id)}&problem=${encodeURIComponent(p.id)}`}>{p.title}</Link>
                    </td>
                    <td>
                      <code>{p.rule_id}</code>
                    </td>
                    <td>
                      <Status value={p.status} />
                    </td>
                    <td>
                      <Time value={p.last_detected_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              <Link to={`/problems?host=${encodeURIComponent(host.id)}`}>Triage this host's problems</Link>
            </p>
          </>
        )}
        {problems.error && <p className="error">{problems.error}</p>}
      </section>

      <section aria-labelledby="h-vulns">
        <h2 id="h-vulns">Vulnerabilities</h2>
        {unavailable.has("inventory") ? (
          notOffered("its packages, so no vulnerabilities")
        ) : vulns.state && vulns.state.items.length === 0 ? (
          <p className="empty">
            No known vulnerability in this host's packages{host.inventory.packages_at ? "" : " (no package inventory has arrived yet)"}. Findings need a
            vulnerability feed on the server: <code>warden server feed import …</code> (docs/server.md).
          </p>
        ) : (
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">CVE</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Package</th>
                  <th scope="col">Installed → fixed</th>
                  <th scope="col">Upgrade</th>
                </tr>
              </thead>
              <tbody>
                {vulns.state?.items.map((v) => {
                  const nvd = safeHref(`https://nvd.nist.gov/vuln/detail/${encodeURIComponent(v.cve)}`);
                  return (
                    <tr key={`${v.cve}/${v.package}/${v.arch ?? ""}`}>
                      <td>{nvd ? <a href={nvd} target="_blank" rel="noopener noreferrer">{v.cve}</a> : v.cve}</td>
                      <td>
                        <span className={`badge sev-${v.severity}`}>{v.severity}</span> {v.cvss_score ?? ""}
                      </td>
                      <td>{v.package}</td>
                      <td>
                        {v.installed_version} → {v.fixed_version ?? <span className="muted">no fix ({v.vendor_status})</span>}
                      </td>
                      <td>{v.upgrade_command ? <code>{v.upgrade_command}</code> : ""}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {vulns.state && <More shown={vulns.state.items.length} total={vulns.state.total} exportHref={`${base}/vulnerabilities/export?format=csv`} />}
          </div>
        )}
      </section>

      <section aria-labelledby="h-ports">
        <h2 id="h-ports">Open ports</h2>
        {unavailable.has("inventory") ? (
          notOffered("its listening ports")
        ) : ports.state && ports.state.items.length === 0 ? (
          <p className="empty">{host.inventory.ports_at ? "Nothing listens on this host." : "No port inventory has arrived from this host yet."}</p>
        ) : (
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col" className="num">Port</th>
                  <th scope="col">Protocol</th>
                  <th scope="col">Address</th>
                  <th scope="col">Process</th>
                  <th scope="col">Path</th>
                  <th scope="col">User</th>
                </tr>
              </thead>
              <tbody>
                {ports.state?.items.map((p) => (
                  <tr key={`${p.protocol}/${p.address}/${p.port}/${p.pid ?? ""}`}>
                    <td className="num">{p.port}</td>
                    <td>{p.protocol}</td>
                    <td>
                      {p.address}
                      {p.loopback ? <span className="muted"> (loopback)</span> : ""}
                    </td>
                    <td>
                      {p.process ?? ""} {p.pid != null ? <span className="muted">pid {p.pid}</span> : ""}
                    </td>
                    <td>{p.path ?? ""}</td>
                    <td>{p.user ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {ports.state && <More shown={ports.state.items.length} total={ports.state.total} exportHref={`${base}/ports/export?format=csv`} />}
          </div>
        )}
      </section>

      <section aria-labelledby="h-packages">
        <h2 id="h-packages">Packages</h2>
        {unavailable.has("inventory") ? (
          notOffered("its packages")
        ) : packages.state && packages.state.items.length === 0 ? (
          <p className="empty">No package inventory has arrived from this host yet.</p>
        ) : (
          <details>
            <summary>
              {packages.state ? `${packages.state.total.toLocaleString()} packages` : "Packages"}
            </summary>
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Version</th>
                  <th scope="col">Arch</th>
                  <th scope="col" className="num">CVEs</th>
                </tr>
              </thead>
              <tbody>
                {packages.state?.items.map((p) => (
                  <tr key={`${p.name}/${p.arch ?? ""}/${p.version}`}>
                    <td>{p.name}</td>
                    <td>{p.version}</td>
                    <td>{p.arch ?? ""}</td>
                    <td className="num">{p.cve_count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {packages.state && <More shown={packages.state.items.length} total={packages.state.total} exportHref={`${base}/packages/export?format=csv`} />}
          </details>
        )}
      </section>

      <section aria-labelledby="h-scans">
        <h2 id="h-scans">Scans</h2>
        {canTriage(session) && (
          <p>
            <button type="button" className="primary" onClick={runNow} disabled={unavailable.has("run_now_scans") || host.status === "revoked"}>
              Run now
            </button>{" "}
            {unavailable.has("run_now_scans") && <span className="muted">This host's agent cannot run detectors on request.</span>}
            {runState && <span role="status">{runState}</span>}
          </p>
        )}
        {host.detectors.length === 0 ? (
          <p className="empty">This host has not reported its detectors yet (they are sent with its first status).</p>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Detector</th>
                <th scope="col">Last run</th>
                <th scope="col" className="num">Duration</th>
                <th scope="col">Result</th>
                <th scope="col">Next run</th>
              </tr>
            </thead>
            <tbody>
              {host.detectors.map((d) => (
                <tr key={d.rule_id}>
                  <td>
                    <code>{d.rule_id}</code> {d.enabled ? "" : <span className="muted">(disabled)</span>}
                  </td>
                  <td>
                    <Time value={d.last_run_at} empty="never" />
                  </td>
                  <td className="num">{d.duration_ms != null ? `${d.duration_ms} ms` : ""}</td>
                  <td>
                    {d.running ? "running" : d.outcome ?? ""} {d.result ? <span className="muted">{d.result}</span> : ""}
                  </td>
                  <td>
                    <Time value={d.next_run_at} empty="not scheduled" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {scans.state && scans.state.items.length > 0 && (
          <details>
            <summary>Recent runs ({scans.state.total.toLocaleString()})</summary>
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Detector</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" className="num">Duration</th>
                </tr>
              </thead>
              <tbody>
                {scans.state.items.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Time value={r.started_at} />
                    </td>
                    <td>
                      <code>{r.rule_id}</code>
                    </td>
                    <td>{r.trigger.replace("_", " ")}</td>
                    <td>
                      {r.outcome} {r.result ? <span className="muted">{r.result}</span> : ""}
                    </td>
                    <td className="num">{r.duration_ms != null ? `${r.duration_ms} ms` : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )}
      </section>
    </section>
  );
}
