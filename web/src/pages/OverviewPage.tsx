// Overview: the fleet at a glance, every figure a link to the list it counts,
// pre-filtered: open problems by risk level and by source (agents or cloud
// accounts), hosts by status, vulnerable CVEs by severity, scan coverage
// (hosts with a detector overdue), the CVEs on the most hosts and the newest
// open problems. Counts are the lists' own `total` (limit=1 calls), so a
// tile and the list it opens agree. Charts are plain SVG bars
// (components/BarChart.tsx). It shows no trend over time: the API has no
// first-detected filter or daily counts to draw one from.
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { RISK_LABELS, RISK_LEVELS } from "../lib/problemFilters";
import { HOST_STATUSES, SEVERITIES } from "../lib/listSpecs";
import { BarChart } from "../components/BarChart";
import { Risk } from "../components/Risk";
import { Time } from "../components/Time";
import { CveLink, Severity } from "./vulnColumns";
import { GRACE_MINUTES, overdueDetectors } from "../lib/coverage";

type Host = Schemas["Host"];
type Counts = Record<string, number | null>;

const HOSTS_FOR_COVERAGE = 1000;

async function total(p: Promise<{ data?: { total: number }; error?: unknown }>): Promise<number | null> {
  const { data } = await p;
  return data ? data.total : null;
}

export function OverviewPage() {
  const [risk, setRisk] = useState<Counts>({});
  const [source, setSource] = useState<Counts>({});
  const [hostStatus, setHostStatus] = useState<Counts>({});
  const [severity, setSeverity] = useState<Counts>({});
  const [hosts, setHosts] = useState<{ items: Host[]; total: number } | null>(null);
  const [topCves, setTopCves] = useState<Schemas["Vulnerability"][] | null>(null);
  const [newest, setNewest] = useState<Schemas["Problem"][] | null>(null);
  const [feeds, setFeeds] = useState<Schemas["FeedStatus"] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const fail = (e: unknown) => setError(errorMessage(e, "The server did not answer"));
    Promise.all(RISK_LEVELS.map((r) => total(api.GET("/api/v1/problems", { params: { query: { status: ["open"], risk_level: [r], limit: 1 } } }))))
      .then((n) => setRisk(Object.fromEntries(RISK_LEVELS.map((r, i) => [r, n[i]]))), fail);
    Promise.all((["host", "cloud"] as const).map((s) => total(api.GET("/api/v1/problems", { params: { query: { status: ["open"], subject: [s], limit: 1 } } }))))
      .then(([h, c]) => setSource({ host: h, cloud: c }), fail);
    Promise.all(HOST_STATUSES.map((s) => total(api.GET("/api/v1/hosts", { params: { query: { status: [s], limit: 1 } } }))))
      .then((n) => setHostStatus(Object.fromEntries(HOST_STATUSES.map((s, i) => [s, n[i]]))), fail);
    Promise.all(SEVERITIES.map((s) => total(api.GET("/api/v1/vulnerabilities", { params: { query: { severity: [s], limit: 1 } } }))))
      .then((n) => setSeverity(Object.fromEntries(SEVERITIES.map((s, i) => [s, n[i]]))), fail);
    api.GET("/api/v1/hosts", { params: { query: { limit: HOSTS_FOR_COVERAGE, sort: "hostname" } } }).then(({ data, error: e }) => {
      if (data) setHosts({ items: data.items, total: data.total });
      else setError(errorMessage(e, "Loading hosts failed"));
    }, fail);
    api.GET("/api/v1/vulnerabilities", { params: { query: { sort: "-host_count", limit: 5 } } }).then(({ data }) => setTopCves(data?.items ?? []), fail);
    api
      .GET("/api/v1/problems", { params: { query: { status: ["open"], sort: "-first_detected_at", limit: 5 } } })
      .then(({ data }) => setNewest(data?.items ?? []), fail);
    api.GET("/api/v1/feeds").then(({ data }) => setFeeds(data ?? null), fail);
  }, []);

  const now = Date.now();
  const overdue = (hosts?.items ?? []).map((h) => ({ host: h, rules: overdueDetectors(h, now) })).filter((o) => o.rules.length > 0);
  const withDetectors = (hosts?.items ?? []).filter((h) => h.status !== "revoked" && h.detectors.some((d) => d.enabled)).length;
  const openTotal = RISK_LEVELS.reduce((n, r) => n + (risk[r] ?? 0), 0);

  return (
    <section className="page">
      <h1>Overview</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="tiles">
        <section className="tile" aria-labelledby="t-risk">
          <h2 id="t-risk">
            <Link to="/problems?status=open">Open problems by risk</Link>
          </h2>
          <p className="big">{openTotal.toLocaleString()}</p>
          <BarChart
            label="Open problems by risk level"
            bars={RISK_LEVELS.map((r) => ({ label: RISK_LABELS[r], count: risk[r] ?? null, href: `/problems?status=open&risk=${r}`, tone: `risk-${r}` }))}
          />
        </section>

        <section className="tile" aria-labelledby="t-source">
          <h2 id="t-source">Open problems by source</h2>
          <BarChart
            label="Open problems by source"
            bars={[
              { label: "Agents on hosts", count: source.host ?? null, href: "/problems?status=open&subject=host" },
              { label: "Cloud accounts", count: source.cloud ?? null, href: "/problems?status=open&subject=cloud" },
            ]}
          />
        </section>

        <section className="tile" aria-labelledby="t-hosts">
          <h2 id="t-hosts">
            <Link to="/hosts">Hosts</Link>
          </h2>
          <BarChart
            label="Hosts by status"
            bars={HOST_STATUSES.map((s) => ({ label: s[0].toUpperCase() + s.slice(1), count: hostStatus[s] ?? null, href: `/hosts?status=${s}`, tone: `host-bar-${s}` }))}
          />
        </section>

        <section className="tile" aria-labelledby="t-coverage">
          <h2 id="t-coverage">Scan coverage</h2>
          {!hosts ? (
            <p className="loading">Loading…</p>
          ) : withDetectors === 0 ? (
            <p className="muted">No host reports detectors yet (agents send them with their first status).</p>
          ) : (
            <>
              <p className="big">
                {(withDetectors - overdue.length).toLocaleString()} / {withDetectors.toLocaleString()}
              </p>
              <p className="muted small">hosts ran every enabled detector on schedule (a run more than {GRACE_MINUTES} minutes late is overdue)</p>
              {overdue.length > 0 && (
                <ul className="compact" aria-label="Hosts with an overdue detector">
                  {overdue.slice(0, 5).map((o) => (
                    <li key={o.host.id}>
                      <Link to={`/hosts/${encodeURIComponent(o.host.id)}`}>{o.host.hostname}</Link>{" "}
                      <span className="muted small">{o.rules.join(", ")}</span>
                    </li>
                  ))}
                  {overdue.length > 5 && <li className="muted">and {overdue.length - 5} more</li>}
                </ul>
              )}
              {hosts.total > hosts.items.length && (
                <p className="notice small" role="status">
                  Counted over the first {hosts.items.length.toLocaleString()} of {hosts.total.toLocaleString()} hosts.
                </p>
              )}
            </>
          )}
        </section>

        <section className="tile" aria-labelledby="t-sev">
          <h2 id="t-sev">
            <Link to="/vulnerabilities?view=cve">CVEs by severity</Link>
          </h2>
          {feeds && feeds.feeds.length === 0 ? (
            <p className="muted">
              No vulnerability feed imported: run <code>warden feed import</code> (see <Link to="/vulnerabilities">Vulnerabilities</Link>).
            </p>
          ) : (
            <BarChart
              label="CVEs in the fleet by severity"
              bars={SEVERITIES.map((s) => ({ label: s[0].toUpperCase() + s.slice(1), count: severity[s] ?? null, href: `/vulnerabilities?view=cve&severity=${s}`, tone: `sev-${s}` }))}
            />
          )}
        </section>

        <section className="tile" aria-labelledby="t-top">
          <h2 id="t-top">
            <Link to="/vulnerabilities?view=cve&sort=-host_count">Top CVEs</Link>
          </h2>
          {topCves === null ? (
            <p className="loading">Loading…</p>
          ) : topCves.length === 0 ? (
            <p className="muted">No CVE affects a host{feeds && feeds.feeds.length === 0 ? ": no feed imported yet" : ""}.</p>
          ) : (
            <ol className="compact">
              {topCves.map((v) => (
                <li key={v.cve}>
                  <CveLink cve={v.cve} /> <Severity value={v.severity} cvss={v.cvss_score} />{" "}
                  <span className="muted small">
                    on {v.host_count.toLocaleString()} host{v.host_count === 1 ? "" : "s"}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>

        <section className="tile wide" aria-labelledby="t-new">
          <h2 id="t-new">
            <Link to="/problems?status=open&sort=-first_detected_at">Newest problems</Link>
          </h2>
          {newest === null ? (
            <p className="loading">Loading…</p>
          ) : newest.length === 0 ? (
            <p className="muted">No open problem.</p>
          ) : (
            <ol className="compact">
              {newest.map((p) => (
                <li key={p.id}>
                  <Risk level={p.risk_level} /> <Link to={`/problems?status=open&sort=-first_detected_at&problem=${encodeURIComponent(p.id)}`}>{p.title}</Link>{" "}
                  <span className="muted small">
                    {p.hostname}, <Time value={p.first_detected_at} />
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </section>
  );
}
