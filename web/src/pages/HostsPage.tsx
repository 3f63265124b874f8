// Hosts: every enrolled host with its status and counts, on the shared list
// component: search and filters (status, label, minimum risk) kept in the
// URL, sort by column, server paging, Export, Columns. It changes no host.
import { useCallback, useMemo } from "react";
import { Link } from "react-router-dom";
import { api, type Schemas } from "../api/client";
import { HOST_LIST, HOST_STATUSES, RISK_VALUES } from "../lib/listSpecs";
import { RISK_LABELS } from "../lib/problemFilters";
import { Time } from "../components/Time";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";

type Host = Schemas["Host"];
type Query = QueryOf<"/api/v1/hosts">;

export function HostsPage() {
  const list = useListState(HOST_LIST);
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/hosts", { params: { query: query as Query } }), []);
  const columns = useMemo<Column<Host>[]>(
    () => [
      { id: "host", label: "Host", sort: "hostname", required: true, cell: (h) => <Link to={`/hosts/${encodeURIComponent(h.id)}`}>{h.hostname}</Link> },
      { id: "status", label: "Status", cell: (h) => <span className={`badge host-${h.status}`}>{h.status}</span> },
      { id: "os", label: "OS", sort: "os", cell: (h) => `${h.os.name} ${h.os.version ?? ""}` },
      { id: "agent", label: "Agent", sort: "agent_version", cell: (h) => `${h.agent.type} ${h.agent.version}` },
      { id: "labels", label: "Labels", cell: (h) => h.labels.join(", ") },
      { id: "problems", label: "Open problems", sort: "open_problems", className: "num", cell: (h) => h.counts.open_problems },
      { id: "cves", label: "CVEs", sort: "vulnerabilities", className: "num", cell: (h) => h.counts.vulnerabilities },
      { id: "ports", label: "Open ports", className: "num", shown: false, cell: (h) => h.counts.open_ports },
      { id: "enrolled", label: "Enrolled", sort: "enrolled_at", shown: false, cell: (h) => <Time value={h.enrolled_at} /> },
      { id: "seen", label: "Last seen", sort: "last_seen_at", cell: (h) => <Time value={h.last_seen_at} empty="never" /> },
    ],
    [],
  );
  const q = list.state.filters.q as string;
  return (
    <section className="page">
      <h1>Hosts</h1>
      <ListFilters
        list={list}
        label="Host filters"
        search
        submitLabel="Search"
        fields={[
          { key: "status", label: "Status", control: "checks", options: HOST_STATUSES.map((s) => ({ value: s, label: s })) },
          { key: "min_risk", label: "Open problems at least", control: "select", any: "Any risk", options: RISK_VALUES.map((r) => ({ value: r, label: RISK_LABELS[r] })) },
          { key: "label", label: "Label", control: "csv", placeholder: "env=prod" },
          { key: "q", label: "Search", control: "text", placeholder: "host name, machine id, OS" },
        ]}
      />
      <DataList
        name="Hosts"
        prefsKey="hosts"
        list={list}
        load={load}
        exportPath="/api/v1/hosts/export"
        columns={columns}
        rowKey={(h) => h.id}
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              {q ? `No host matches “${q}”` : "No host matches these filters"}.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>
              No host is enrolled yet. Make an enrol secret (<code>warden server enroll-secret create NAME</code>) and run{" "}
              <code>warden agent enroll --server URL --secret … --ca-fingerprint …</code> on the host (docs/server.md).
            </p>
          )
        }
      />
    </section>
  );
}
