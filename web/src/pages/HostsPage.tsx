// Hosts: every enrolled host with its status and counts, searchable (the
// search is kept in the URL), paged by the server.
import { useEffect, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { Time } from "../components/Time";
import { Pager } from "../components/Pager";

type HostList = Schemas["HostList"];
const PAGE = 50;

export function HostsPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const [text, setText] = useState(q);
  const [paging, setPaging] = useState<{ page: number; cursors: (string | undefined)[] }>({ page: 0, cursors: [undefined] });
  const [result, setResult] = useState<HostList | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setText(q);
    setPaging({ page: 0, cursors: [undefined] });
  }, [q]);

  useEffect(() => {
    let cancelled = false;
    const cursor = paging.cursors[paging.page];
    api
      .GET("/api/v1/hosts", { params: { query: { limit: PAGE, sort: "hostname", ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } } })
      .then(({ data, error: e }) => {
        if (cancelled) return;
        if (data) {
          setResult(data);
          setError(null);
        } else setError(errorMessage(e, "Loading hosts failed"));
      });
    return () => {
      cancelled = true;
    };
  }, [q, paging]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    if (text.trim()) next.set("q", text.trim());
    setParams(next);
  };
  const items = result?.items ?? [];
  return (
    <section className="page">
      <h1>Hosts</h1>
      <form className="filters" role="search" onSubmit={submit}>
        <label>
          Search
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="host name, machine id, OS" />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">Hosts by name</caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Status</th>
              <th scope="col">OS</th>
              <th scope="col">Agent</th>
              <th scope="col">Labels</th>
              <th scope="col" className="num">Open problems</th>
              <th scope="col" className="num">CVEs</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {items.map((h) => (
              <tr key={h.id}>
                <td>
                  <Link to={`/hosts/${encodeURIComponent(h.id)}`}>{h.hostname}</Link>
                </td>
                <td>
                  <span className={`badge host-${h.status}`}>{h.status}</span>
                </td>
                <td>
                  {h.os.name} {h.os.version ?? ""}
                </td>
                <td>
                  {h.agent.type} {h.agent.version}
                </td>
                <td>{h.labels.join(", ")}</td>
                <td className="num">{h.counts.open_problems}</td>
                <td className="num">{h.counts.vulnerabilities}</td>
                <td>
                  <Time value={h.last_seen_at} empty="never" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {result && items.length === 0 && (
          <div className="empty" role="status">
            {q ? (
              <p>No host matches “{q}”.</p>
            ) : (
              <p>
                No host is enrolled yet. Make an enrol secret (<code>warden server enroll-secret create NAME</code>) and run{" "}
                <code>warden agent enroll --server URL --secret … --ca-fingerprint …</code> on the host (docs/server.md).
              </p>
            )}
          </div>
        )}
      </div>
      {result && (
        <Pager
          page={paging.page}
          pageSize={PAGE}
          shown={items.length}
          total={result.total}
          hasNext={!!result.next_cursor}
          onPrevious={() => setPaging({ ...paging, page: Math.max(0, paging.page - 1) })}
          onNext={() => {
            const cursors = paging.cursors.slice(0, paging.page + 1);
            cursors.push(result.next_cursor ?? undefined);
            setPaging({ page: paging.page + 1, cursors });
          }}
        />
      )}
    </section>
  );
}
