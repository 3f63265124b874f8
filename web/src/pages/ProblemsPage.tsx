// Problems: the triage page, on the shared list component (DataList): filters,
// sort and page size in the URL, server paging, Export, Columns. "Dismiss /
// Undismiss all matching" take the list's own filter (problemFilterBody), so
// they act on exactly what the list shows. A problem opens in a drawer
// (?problem=ID). It does not page or sort by itself.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, type Schemas } from "../api/client";
import { canTriage, useSession } from "../session";
import { PROBLEM_LIST, RISK_LABELS, RISK_LEVELS, STATUSES, bulkFilterable, problemFilterBody } from "../lib/problemFilters";
import { Time } from "../components/Time";
import { Risk, Status } from "../components/Risk";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";
import { ProblemDrawer } from "./ProblemDrawer";
import { BulkDialog, type BulkAction, type BulkTarget } from "./BulkDialog";

type Problem = Schemas["Problem"];
type Host = Schemas["Host"];
type Query = QueryOf<"/api/v1/problems">;

export function ProblemsPage() {
  const { session } = useSession();
  const [params, setParams] = useSearchParams();
  const list = useListState(PROBLEM_LIST);
  const openProblem = params.get("problem");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulk, setBulk] = useState<{ action: BulkAction; target: BulkTarget } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [hosts, setHosts] = useState<Host[]>([]);

  useEffect(() => {
    api.GET("/api/v1/hosts", { params: { query: { limit: 1000, sort: "hostname" } } }).then(({ data }) => {
      if (data) setHosts(data.items);
    });
  }, []);

  // The cells are made once; they reach the current setter through a ref
  // (an old setter would start from old search params).
  const setParamsRef = useRef(setParams);
  setParamsRef.current = setParams;
  const setOpenProblem = (id: string | null) => {
    setParamsRef.current((current) => {
      const next = new URLSearchParams(current);
      if (id) next.set("problem", id);
      else next.delete("problem");
      return next;
    });
  };

  const load = useCallback((query: ListQuery) => api.GET("/api/v1/problems", { params: { query: query as Query } }), []);
  const triage = canTriage(session);
  const allMatching = list.filtered && bulkFilterable(list.state);
  const whyNot = !list.filtered
    ? "Set a filter first: a bulk action never applies to every problem by accident"
    : !allMatching
      ? "The bulk actions cannot filter by source: select the problems instead"
      : undefined;

  const columns = useMemo<Column<Problem>[]>(
    () => [
      { id: "risk", label: "Risk", sort: "risk_level", cell: (p) => <Risk level={p.risk_level} /> },
      {
        id: "title",
        label: "Problem",
        sort: "title",
        required: true,
        cell: (p) => (
          <>
            <button type="button" className="link" onClick={() => setOpenProblem(p.id)}>
              {p.title}
            </button>
            <div className="muted small">{p.resource}</div>
          </>
        ),
      },
      {
        id: "host",
        label: "Host",
        sort: "hostname",
        cell: (p) =>
          p.host_id === null ? <span title="cloud account">{p.hostname}</span> : <Link to={`/hosts/${encodeURIComponent(p.host_id)}`}>{p.hostname}</Link>,
      },
      { id: "rule", label: "Rule", sort: "rule_id", cell: (p) => <code>{p.rule_id}</code> },
      { id: "status", label: "Status", sort: "status", cell: (p) => <Status value={p.status} /> },
      { id: "first", label: "First detected", sort: "first_detected_at", shown: false, cell: (p) => <Time value={p.first_detected_at} /> },
      { id: "last", label: "Last detected", sort: "last_detected_at", cell: (p) => <Time value={p.last_detected_at} /> },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  return (
    <section className="page">
      <h1>Problems</h1>
      <ListFilters
        list={list}
        label="Filter problems"
        fields={[
          { key: "risk", label: "Risk", control: "checks", options: RISK_LEVELS.map((r) => ({ value: r, label: RISK_LABELS[r] })) },
          { key: "status", label: "Status", control: "checks", options: STATUSES.map((s) => ({ value: s, label: s })) },
          { key: "subject", label: "Source", control: "checks", options: [{ value: "host", label: "agents" }, { value: "cloud", label: "cloud accounts" }] },
          { key: "host", label: "Host", control: "select", any: "All hosts", options: hosts.map((h) => ({ value: h.id, label: h.hostname })) },
          { key: "rule", label: "Rule", control: "csv", placeholder: "LNX-003, …" },
          { key: "label", label: "Label", control: "csv", placeholder: "env=prod" },
          { key: "q", label: "Text", control: "text", placeholder: "title, host, resource" },
        ]}
      />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <DataList
        name="Problems"
        prefsKey="problems"
        list={list}
        load={load}
        exportPath="/api/v1/problems/export"
        columns={columns}
        rowKey={(p) => p.id}
        reload={reload}
        selection={triage ? { selected, onChange: setSelected, label: (p) => `Select ${p.title} on ${p.hostname}` } : undefined}
        actions={(total) =>
          triage && (
            <>
              <button type="button" disabled={selected.size === 0} onClick={() => setBulk({ action: "dismiss", target: { ids: [...selected] } })}>
                Dismiss selected
              </button>
              <button type="button" disabled={selected.size === 0} onClick={() => setBulk({ action: "undismiss", target: { ids: [...selected] } })}>
                Undismiss selected
              </button>
              <button
                type="button"
                disabled={!allMatching || !total}
                title={whyNot}
                onClick={() => setBulk({ action: "dismiss", target: { filter: problemFilterBody(list.state) } })}
              >
                Dismiss all matching
              </button>
              <button
                type="button"
                disabled={!allMatching || !total}
                title={whyNot}
                onClick={() => setBulk({ action: "undismiss", target: { filter: problemFilterBody(list.state) } })}
              >
                Undismiss all matching
              </button>
            </>
          )
        }
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No problem matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>
              No problems yet: no enrolled host has reported one. Hosts report problems after their detectors run; see{" "}
              <Link to="/hosts">Hosts</Link> for when each last ran, or enrol one (docs/server.md).
            </p>
          )
        }
      />
      {bulk && (
        <BulkDialog
          action={bulk.action}
          target={bulk.target}
          onClose={(message) => {
            setBulk(null);
            if (message) {
              setNotice(message);
              setSelected(new Set());
              setReload((n) => n + 1);
            }
          }}
        />
      )}
      {openProblem && (
        <ProblemDrawer id={openProblem} canTriage={triage} onClose={() => setOpenProblem(null)} onChanged={() => setReload((n) => n + 1)} />
      )}
    </section>
  );
}
