// One host: what it is, and its problems, vulnerabilities, open ports,
// packages and detector runs, each on the shared list component (its filters
// and sort in the URL under its own prefix, paging, Export, Columns), with
// "Run now". It does not triage: "Triage this host's problems" opens the
// Problems page filtered to the host.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import { HOST_PROBLEM_LIST, RISK_LABELS, RISK_LEVELS, STATUSES } from "../lib/problemFilters";
import { HOST_FINDING_LIST, HOST_PACKAGE_LIST, HOST_PORT_LIST, HOST_RUN_LIST, SEVERITIES } from "../lib/listSpecs";
import { Time } from "../components/Time";
import { Risk, Status } from "../components/Risk";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";
import { findingColumns as allFindingColumns } from "./vulnColumns";

type Host = Schemas["Host"];

export function HostPage() {
  const { hostId = "" } = useParams();
  const { session } = useSession();
  const [host, setHost] = useState<Host | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [runState, setRunState] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const base = `/api/v1/hosts/${encodeURIComponent(hostId)}`;

  useEffect(() => {
    api.GET("/api/v1/hosts/{host_id}", { params: { path: { host_id: hostId } } }).then(({ data, error: e }) => {
      if (data) setHost(data);
      else setError(errorMessage(e, "Loading the host failed"));
    });
  }, [hostId, reload]);

  const problems = useListState(HOST_PROBLEM_LIST, "p.");
  const vulns = useListState(HOST_FINDING_LIST, "v.");
  const ports = useListState(HOST_PORT_LIST, "port.");
  const packages = useListState(HOST_PACKAGE_LIST, "pkg.");
  const runs = useListState(HOST_RUN_LIST, "run.");
  const path = useMemo(() => ({ host_id: hostId }), [hostId]);
  const loadProblems = useCallback(
    (query: ListQuery) => api.GET("/api/v1/hosts/{host_id}/problems", { params: { path, query: query as QueryOf<"/api/v1/hosts/{host_id}/problems"> } }),
    [path],
  );
  const loadVulns = useCallback(
    (query: ListQuery) => api.GET("/api/v1/hosts/{host_id}/vulnerabilities", { params: { path, query: query as QueryOf<"/api/v1/hosts/{host_id}/vulnerabilities"> } }),
    [path],
  );
  const loadPorts = useCallback(
    (query: ListQuery) => api.GET("/api/v1/hosts/{host_id}/ports", { params: { path, query: query as QueryOf<"/api/v1/hosts/{host_id}/ports"> } }),
    [path],
  );
  const loadPackages = useCallback(
    (query: ListQuery) => api.GET("/api/v1/hosts/{host_id}/packages", { params: { path, query: query as QueryOf<"/api/v1/hosts/{host_id}/packages"> } }),
    [path],
  );
  const loadRuns = useCallback(
    (query: ListQuery) => api.GET("/api/v1/hosts/{host_id}/scans", { params: { path, query: query as QueryOf<"/api/v1/hosts/{host_id}/scans"> } }),
    [path],
  );

  const problemColumns = useMemo<Column<Schemas["Problem"]>[]>(
    () => [
      { id: "risk", label: "Risk", sort: "risk_level", cell: (p) => <Risk level={p.risk_level} /> },
      {
        id: "title",
        label: "Problem",
        sort: "title",
        required: true,
        cell: (p) => <Link to={`/problems?host=${encodeURIComponent(hostId)}&problem=${encodeURIComponent(p.id)}`}>{p.title}</Link>,
      },
      { id: "rule", label: "Rule", sort: "rule_id", cell: (p) => <code>{p.rule_id}</code> },
      { id: "status", label: "Status", sort: "status", cell: (p) => <Status value={p.status} /> },
      { id: "first", label: "First detected", sort: "first_detected_at", shown: false, cell: (p) => <Time value={p.first_detected_at} /> },
      { id: "last", label: "Last detected", sort: "last_detected_at", cell: (p) => <Time value={p.last_detected_at} /> },
    ],
    [hostId],
  );
  const findingColumns = useMemo(() => allFindingColumns().filter((c) => c.id !== "host"), []);
  const portColumns = useMemo<Column<Schemas["Port"]>[]>(
    () => [
      { id: "port", label: "Port", sort: "port", className: "num", required: true, cell: (p) => p.port },
      { id: "protocol", label: "Protocol", sort: "protocol", cell: (p) => p.protocol },
      {
        id: "address",
        label: "Address",
        sort: "address",
        cell: (p) => (
          <>
            {p.address}
            {p.loopback ? <span className="muted"> (loopback)</span> : ""}
          </>
        ),
      },
      {
        id: "process",
        label: "Process",
        sort: "process",
        cell: (p) => (
          <>
            {p.process ?? ""} {p.pid != null ? <span className="muted">pid {p.pid}</span> : ""}
          </>
        ),
      },
      { id: "path", label: "Path", cell: (p) => p.path ?? "" },
      { id: "user", label: "User", cell: (p) => p.user ?? "" },
      { id: "first", label: "First seen", sort: "first_seen_at", shown: false, cell: (p) => <Time value={p.first_seen_at} /> },
      { id: "last", label: "Last seen", sort: "last_seen_at", shown: false, cell: (p) => <Time value={p.last_seen_at} /> },
    ],
    [],
  );
  const packageColumns = useMemo<Column<Schemas["Package"]>[]>(
    () => [
      { id: "name", label: "Name", sort: "name", required: true, cell: (p) => p.name },
      { id: "version", label: "Version", sort: "version", cell: (p) => p.version },
      { id: "arch", label: "Arch", cell: (p) => p.arch ?? "" },
      { id: "source", label: "Source", shown: false, cell: (p) => (p.source ? `${p.source} ${p.source_version ?? ""}` : "") },
      { id: "first", label: "First seen", sort: "first_seen_at", shown: false, cell: (p) => <Time value={p.first_seen_at} /> },
      {
        id: "cves",
        label: "CVEs",
        sort: "cve_count",
        className: "num",
        cell: (p) => (p.cve_count ? <Link to={`/vulnerabilities?view=cve&host=${encodeURIComponent(hostId)}&package=${encodeURIComponent(p.name)}`}>{p.cve_count}</Link> : 0),
      },
    ],
    [hostId],
  );
  const runColumns = useMemo<Column<Schemas["DetectorRun"]>[]>(
    () => [
      { id: "started", label: "Started", sort: "started_at", required: true, cell: (r) => <Time value={r.started_at} /> },
      { id: "rule", label: "Detector", sort: "rule_id", cell: (r) => <code>{r.rule_id}</code> },
      { id: "trigger", label: "Trigger", cell: (r) => r.trigger.replace("_", " ") },
      {
        id: "outcome",
        label: "Outcome",
        cell: (r) => (
          <>
            {r.outcome} {r.result ? <span className="muted">{r.result}</span> : ""}
          </>
        ),
      },
      { id: "duration", label: "Duration", sort: "duration_ms", className: "num", cell: (r) => (r.duration_ms != null ? `${r.duration_ms} ms` : "") },
    ],
    [],
  );

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
        ) : (
          <>
            <ListFilters
              list={problems}
              label="Filter this host's problems"
              fields={[
                { key: "risk", label: "Risk", control: "checks", options: RISK_LEVELS.map((r) => ({ value: r, label: RISK_LABELS[r] })) },
                { key: "status", label: "Status", control: "checks", options: STATUSES.map((v) => ({ value: v, label: v })) },
                { key: "q", label: "Search problems", control: "text", placeholder: "title, rule" },
              ]}
            />
            <DataList
              name={`Problems on ${host.hostname}`}
              prefsKey="host-problems"
              list={problems}
              load={loadProblems}
              exportPath={`${base}/problems/export`}
              columns={problemColumns}
              rowKey={(p) => p.id}
              reload={reload}
              empty={(filtered, clear) =>
                filtered ? (
                  <p>
                    No problem on this host matches these filters.{" "}
                    <button type="button" className="link" onClick={clear}>
                      Clear the filters
                    </button>
                  </p>
                ) : (
                  <p>No problems on this host: its detectors found nothing (see the runs below).</p>
                )
              }
            />
            <p>
              <Link to={`/problems?host=${encodeURIComponent(host.id)}`}>Triage this host's problems</Link>
            </p>
          </>
        )}
      </section>

      <section aria-labelledby="h-vulns">
        <h2 id="h-vulns">Vulnerabilities</h2>
        {unavailable.has("inventory") ? (
          notOffered("its packages, so no vulnerabilities")
        ) : (
          <>
            <ListFilters
              list={vulns}
              label="Filter this host's vulnerabilities"
              fields={[
                { key: "min_severity", label: "Severity at least", control: "select", any: "Any severity", options: SEVERITIES.map((v) => ({ value: v, label: v })) },
                { key: "fixable", label: "Fix available", control: "bool" },
                { key: "q", label: "Search vulnerabilities", control: "text", placeholder: "CVE, package" },
              ]}
            />
            <DataList
              name={`Vulnerabilities on ${host.hostname}`}
              prefsKey="host-vulnerabilities"
              list={vulns}
              load={loadVulns}
              exportPath={`${base}/vulnerabilities/export`}
              columns={findingColumns}
              rowKey={(v) => `${v.cve}/${v.package}/${v.arch ?? ""}`}
              empty={(filtered, clear) =>
                filtered ? (
                  <p>
                    No finding on this host matches these filters.{" "}
                    <button type="button" className="link" onClick={clear}>
                      Clear the filters
                    </button>
                  </p>
                ) : (
                  <p>
                    No known vulnerability in this host's packages{host.inventory.packages_at ? "" : " (no package inventory has arrived yet)"}. Findings
                    need a vulnerability feed on the server: <code>warden feed import --db STATE/feeds.db FILE</code> or{" "}
                    <code>POST /api/v1/feeds</code> (docs/server.md); <Link to="/vulnerabilities">Vulnerabilities</Link> shows which feeds are imported.
                  </p>
                )
              }
            />
          </>
        )}
      </section>

      <section aria-labelledby="h-ports">
        <h2 id="h-ports">Open ports</h2>
        {unavailable.has("inventory") ? (
          notOffered("its listening ports")
        ) : (
          <>
            <ListFilters
              list={ports}
              label="Filter this host's open ports"
              fields={[
                { key: "protocol", label: "Protocol", control: "checks", options: [{ value: "tcp", label: "tcp" }, { value: "udp", label: "udp" }] },
                { key: "loopback", label: "Loopback-only listeners", control: "bool", any: "Shown" },
                { key: "q", label: "Search ports", control: "text", placeholder: "process, address" },
              ]}
            />
            <DataList
              name={`Open ports on ${host.hostname}`}
              prefsKey="host-ports"
              list={ports}
              load={loadPorts}
              exportPath={`${base}/ports/export`}
              columns={portColumns}
              rowKey={(p) => `${p.protocol}/${p.address}/${p.port}/${p.pid ?? ""}`}
              empty={(filtered, clear) =>
                filtered ? (
                  <p>
                    No listener matches these filters.{" "}
                    <button type="button" className="link" onClick={clear}>
                      Clear the filters
                    </button>
                  </p>
                ) : (
                  <p>{host.inventory.ports_at ? "Nothing listens on this host." : "No port inventory has arrived from this host yet."}</p>
                )
              }
            />
          </>
        )}
      </section>

      <section aria-labelledby="h-packages">
        <h2 id="h-packages">Packages</h2>
        {unavailable.has("inventory") ? (
          notOffered("its packages")
        ) : (
          <>
            <ListFilters
              list={packages}
              label="Filter this host's packages"
              fields={[
                { key: "vulnerable", label: "With a known CVE", control: "bool" },
                { key: "q", label: "Search packages", control: "text", placeholder: "name, version" },
              ]}
            />
            <DataList
              name={`Packages on ${host.hostname}`}
              prefsKey="host-packages"
              list={packages}
              load={loadPackages}
              exportPath={`${base}/packages/export`}
              columns={packageColumns}
              rowKey={(p) => `${p.name}/${p.arch ?? ""}/${p.version}`}
              empty={(filtered, clear) =>
                filtered ? (
                  <p>
                    No package matches these filters.{" "}
                    <button type="button" className="link" onClick={clear}>
                      Clear the filters
                    </button>
                  </p>
                ) : (
                  <p>No package inventory has arrived from this host yet.</p>
                )
              }
            />
          </>
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
        <h3 id="h-runs">Recent runs</h3>
        <DataList
          name={`Detector runs on ${host.hostname}`}
          prefsKey="host-runs"
          list={runs}
          load={loadRuns}
          exportPath={`${base}/scans/export`}
          columns={runColumns}
          rowKey={(r) => r.id}
          reload={reload}
          empty={(filtered, clear) =>
            filtered ? (
              <p>
                No run matches these filters.{" "}
                <button type="button" className="link" onClick={clear}>
                  Clear the filters
                </button>
              </p>
            ) : (
              <p>No detector run reported yet: runs arrive with the agent's status and after Run now.</p>
            )
          }
        />
      </section>
    </section>
  );
}
