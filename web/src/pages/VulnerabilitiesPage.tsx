// Vulnerabilities across the fleet, in four views, each its own URL
// (?view=cve|host|package|fix-first) and each a list on the shared list
// component (filters and sort in the URL, paging, Export, Columns): by CVE,
// every finding by host, by package, and fix-first (the upgrades that clear
// the most CVEs on the most hosts, with the command). Above them, which feeds
// the server holds (/api/v1/feeds); with none, it says how to import one. It
// imports no feed and changes nothing.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { FINDING_LIST, FIX_FIRST_LIST, SEVERITIES, VULN_LIST, VULN_PACKAGE_LIST } from "../lib/listSpecs";
import type { ListSpec } from "../lib/listState";
import { Time } from "../components/Time";
import { DataList, ListFilters, useListState, type Column, type FilterField, type ListHandle, type ListQuery, type QueryOf } from "../components/DataList";
import { CveLink, Severity, findingColumns } from "./vulnColumns";

type Feeds = Schemas["FeedStatus"];
type Host = Schemas["Host"];

export const VIEWS = [
  { id: "cve", label: "By CVE" },
  { id: "host", label: "By host" },
  { id: "package", label: "By package" },
  { id: "fix-first", label: "Fix first" },
] as const;
type View = (typeof VIEWS)[number]["id"];

export const FEED_IMPORT_COMMAND = "warden feed import --db STATE_DIR/feeds.db FILE";

export function NoFeed() {
  return (
    <div className="empty" role="status">
      <p>
        <strong>No vulnerability feed imported</strong>, so no host can be matched against one. Run{" "}
        <code>{FEED_IMPORT_COMMAND}</code> on the server's machine (the server picks the file up within 30 seconds), or upload
        the feed file as an admin with <code>POST /api/v1/feeds?name=FILE</code>. Feeds: the Debian security tracker JSON, OSV
        records or <code>all.zip</code>, Oracle OVAL XML (docs/server.md, docs/vulnerability-scanning.md).
      </p>
    </div>
  );
}

function FeedSummary({ feeds }: { feeds: Feeds }) {
  return (
    <p className="muted">
      Feeds:{" "}
      {feeds.feeds.map((f, i) => (
        <span key={`${f.source}/${i}`}>
          {i > 0 ? "; " : ""}
          {f.source} ({f.cves.toLocaleString()} CVEs, imported <Time value={f.imported_at} />)
        </span>
      ))}
      . {feeds.hosts_matched.toLocaleString()} host{feeds.hosts_matched === 1 ? "" : "s"} matched
      {feeds.matched_at ? (
        <>
          , last at <Time value={feeds.matched_at} />
        </>
      ) : (
        ""
      )}
      .
    </p>
  );
}

function emptyText(what: string, feeds: Feeds | null) {
  return (filtered: boolean, clear: () => void) =>
    filtered ? (
      <p>
        No {what} matches these filters.{" "}
        <button type="button" className="link" onClick={clear}>
          Clear the filters
        </button>
      </p>
    ) : feeds && feeds.feeds.length === 0 ? (
      <p>
        No {what}: no vulnerability feed imported yet (see above).
      </p>
    ) : (
      <p>
        No {what}: no host has a package the feeds list as vulnerable
        {feeds && feeds.hosts_matched === 0 ? " (no host has been matched yet: hosts send their packages when their agent starts)" : ""}.
      </p>
    );
}

function filterFields(spec: ListSpec, hosts: Host[]): FilterField[] {
  const has = (key: string) => spec.filters.some((f) => f.key === key);
  const fields: FilterField[] = [
    { key: "min_severity", label: "Severity at least", control: "select", any: "Any severity", options: SEVERITIES.map((s) => ({ value: s, label: s })) },
  ];
  if (has("min_cvss")) fields.push({ key: "min_cvss", label: "CVSS at least", control: "text", type: "number", placeholder: "7.0" });
  if (has("fixable")) fields.push({ key: "fixable", label: "Fix available", control: "bool" });
  fields.push({ key: "host", label: "Host", control: "select", any: "All hosts", options: hosts.map((h) => ({ value: h.id, label: h.hostname })) });
  fields.push({ key: "label", label: "Label", control: "csv", placeholder: "env=prod" });
  if (has("package")) fields.push({ key: "package", label: "Package", control: "text", placeholder: "openssl" });
  fields.push({ key: "q", label: "Text", control: "text", placeholder: "CVE, package" });
  return fields;
}

export function VulnerabilitiesPage() {
  const [params] = useSearchParams();
  const raw = params.get("view");
  const view: View = VIEWS.some((v) => v.id === raw) ? (raw as View) : "cve";
  const [feeds, setFeeds] = useState<Feeds | null>(null);
  const [feedError, setFeedError] = useState<string | null>(null);
  const [hosts, setHosts] = useState<Host[]>([]);

  useEffect(() => {
    api.GET("/api/v1/feeds").then(({ data, error }) => {
      if (data) setFeeds(data);
      else setFeedError(errorMessage(error, "Loading the feed status failed"));
    });
    api.GET("/api/v1/hosts", { params: { query: { limit: 1000, sort: "hostname" } } }).then(({ data }) => {
      if (data) setHosts(data.items);
    });
  }, []);

  return (
    <section className="page">
      <h1>Vulnerabilities</h1>
      {feedError && (
        <p className="error" role="alert">
          {feedError}
        </p>
      )}
      {feeds && feeds.feeds.length === 0 && <NoFeed />}
      {feeds && feeds.feeds.length > 0 && <FeedSummary feeds={feeds} />}
      <nav className="tabs" aria-label="Vulnerability views">
        {VIEWS.map((v) => (
          <Link key={v.id} to={`/vulnerabilities?view=${v.id}`} aria-current={v.id === view ? "page" : undefined} className={v.id === view ? "active" : undefined}>
            {v.label}
          </Link>
        ))}
      </nav>
      {view === "cve" && <ByCve feeds={feeds} hosts={hosts} />}
      {view === "host" && <ByHost feeds={feeds} hosts={hosts} />}
      {view === "package" && <ByPackage feeds={feeds} hosts={hosts} />}
      {view === "fix-first" && <FixFirst feeds={feeds} hosts={hosts} />}
    </section>
  );
}

interface ViewProps {
  feeds: Feeds | null;
  hosts: Host[];
}

function Filters({ list, hosts, label }: { list: ListHandle; hosts: Host[]; label: string }) {
  return <ListFilters list={list} label={label} fields={filterFields(list.spec, hosts)} />;
}

function ByCve({ feeds, hosts }: ViewProps) {
  const list = useListState(VULN_LIST);
  const load = useCallback((q: ListQuery) => api.GET("/api/v1/vulnerabilities", { params: { query: q as QueryOf<"/api/v1/vulnerabilities"> } }), []);
  const columns = useMemo<Column<Schemas["Vulnerability"]>[]>(
    () => [
      { id: "cve", label: "CVE", sort: "cve", required: true, cell: (v) => <CveLink cve={v.cve} /> },
      { id: "title", label: "Title", shown: false, cell: (v) => v.title ?? "" },
      { id: "severity", label: "Severity", sort: "severity", cell: (v) => <Severity value={v.severity} /> },
      { id: "cvss", label: "CVSS", sort: "cvss_score", className: "num", cell: (v) => (v.cvss_score != null ? v.cvss_score.toFixed(1) : "") },
      {
        id: "hosts",
        label: "Hosts affected",
        sort: "host_count",
        className: "num",
        cell: (v) => <Link to={`/vulnerabilities/${encodeURIComponent(v.cve)}`}>{v.host_count.toLocaleString()}</Link>,
      },
      { id: "packages", label: "Packages", className: "num", cell: (v) => v.package_count },
      { id: "fixed", label: "Fixed?", cell: (v) => (v.fix_available ? "fix available" : <span className="muted">no fix yet</span>) },
      { id: "published", label: "Published", sort: "published_at", shown: false, cell: (v) => <Time value={v.published_at} /> },
    ],
    [],
  );
  return (
    <>
      <Filters list={list} hosts={hosts} label="Filter CVEs" />
      <DataList
        name="CVEs"
        prefsKey="vulnerabilities-cve"
        list={list}
        load={load}
        exportPath="/api/v1/vulnerabilities/export"
        columns={columns}
        rowKey={(v) => v.cve}
        empty={emptyText("CVE", feeds)}
      />
    </>
  );
}

function ByHost({ feeds, hosts }: ViewProps) {
  const list = useListState(FINDING_LIST);
  const load = useCallback(
    (q: ListQuery) => api.GET("/api/v1/vulnerabilities/findings", { params: { query: q as QueryOf<"/api/v1/vulnerabilities/findings"> } }),
    [],
  );
  const columns = useMemo(() => findingColumns().map((c) => (c.id === "host" ? { ...c, required: true } : c)), []);
  return (
    <>
      <Filters list={list} hosts={hosts} label="Filter findings" />
      <DataList
        name="Findings by host"
        prefsKey="vulnerabilities-host"
        list={list}
        load={load}
        exportPath="/api/v1/vulnerabilities/findings/export"
        columns={columns}
        rowKey={(f) => `${f.host_id}/${f.cve}/${f.package}/${f.arch ?? ""}`}
        empty={emptyText("finding", feeds)}
      />
    </>
  );
}

function ByPackage({ feeds, hosts }: ViewProps) {
  const list = useListState(VULN_PACKAGE_LIST);
  const load = useCallback(
    (q: ListQuery) => api.GET("/api/v1/vulnerabilities/packages", { params: { query: q as QueryOf<"/api/v1/vulnerabilities/packages"> } }),
    [],
  );
  const columns = useMemo<Column<Schemas["VulnerablePackage"]>[]>(
    () => [
      {
        id: "package",
        label: "Package",
        sort: "package",
        required: true,
        cell: (p) => (
          <>
            {p.package}
            {p.source_package && p.source_package !== p.package ? <span className="muted small"> (source {p.source_package})</span> : ""}
          </>
        ),
      },
      { id: "versions", label: "Installed versions", cell: (p) => p.installed_versions.join(", ") },
      {
        id: "cves",
        label: "CVEs",
        sort: "cve_count",
        className: "num",
        cell: (p) => <Link to={`/vulnerabilities?view=cve&package=${encodeURIComponent(p.package)}`}>{p.cve_count.toLocaleString()}</Link>,
      },
      {
        id: "hosts",
        label: "Hosts",
        sort: "host_count",
        className: "num",
        cell: (p) => <Link to={`/vulnerabilities?view=host&package=${encodeURIComponent(p.package)}`}>{p.host_count.toLocaleString()}</Link>,
      },
      { id: "severity", label: "Worst severity", sort: "max_severity", cell: (p) => <Severity value={p.max_severity} cvss={p.max_cvss} /> },
      { id: "fixed", label: "Fixed?", cell: (p) => (p.fix_available ? "fix available" : <span className="muted">no fix yet</span>) },
    ],
    [],
  );
  return (
    <>
      <Filters list={list} hosts={hosts} label="Filter packages" />
      <DataList
        name="Vulnerable packages"
        prefsKey="vulnerabilities-package"
        list={list}
        load={load}
        exportPath="/api/v1/vulnerabilities/packages/export"
        columns={columns}
        rowKey={(p) => `${p.package}/${p.source_package ?? ""}`}
        empty={emptyText("vulnerable package", feeds)}
      />
    </>
  );
}

function FixFirst({ feeds, hosts }: ViewProps) {
  const list = useListState(FIX_FIRST_LIST);
  const load = useCallback(
    (q: ListQuery) => api.GET("/api/v1/vulnerabilities/fix-first", { params: { query: q as QueryOf<"/api/v1/vulnerabilities/fix-first"> } }),
    [],
  );
  const columns = useMemo<Column<Schemas["FixFirstItem"]>[]>(
    () => [
      { id: "summary", label: "Upgrade", sort: "package", required: true, cell: (f) => f.summary },
      { id: "command", label: "Command", cell: (f) => <code>{f.upgrade_command}</code> },
      { id: "cves", label: "CVEs cleared", sort: "cves_cleared", className: "num", cell: (f) => f.cves_cleared },
      {
        id: "hosts",
        label: "Hosts",
        sort: "host_count",
        className: "num",
        cell: (f) => <Link to={`/vulnerabilities?view=host&package=${encodeURIComponent(f.package)}`}>{f.host_count.toLocaleString()}</Link>,
      },
      { id: "impact", label: "Impact", sort: "impact", className: "num", cell: (f) => f.impact },
      { id: "severity", label: "Worst severity", sort: "max_severity", cell: (f) => <Severity value={f.max_severity} cvss={f.max_cvss} /> },
      { id: "release", label: "Release", shown: false, cell: (f) => f.release },
      { id: "fixed", label: "Fixed version", shown: false, cell: (f) => f.fixed_version },
      {
        id: "list",
        label: "Which CVEs",
        shown: false,
        cell: (f) => (
          <span className="cve-list">
            {f.cves.map((c, i) => (
              <span key={c}>
                {i > 0 ? ", " : ""}
                <CveLink cve={c} />
              </span>
            ))}
          </span>
        ),
      },
    ],
    [],
  );
  return (
    <>
      <p className="muted">
        Upgrades ranked by impact: the number of (host, CVE) pairs each one clears. Run the command on the hosts listed.
      </p>
      <Filters list={list} hosts={hosts} label="Filter upgrades" />
      <DataList
        name="Fix first"
        prefsKey="vulnerabilities-fix-first"
        list={list}
        load={load}
        exportPath="/api/v1/vulnerabilities/fix-first/export"
        columns={columns}
        rowKey={(f) => `${f.package}/${f.release}/${f.fixed_version}`}
        empty={emptyText("upgrade", feeds)}
      />
    </>
  );
}
