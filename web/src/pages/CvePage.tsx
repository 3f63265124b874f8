// One CVE (/vulnerabilities/:cve): description, severity and CVSS, the NVD
// page and the vendors' advisories (only http(s) links are clickable), the
// feeds that speak of it, the affected packages per release with the fixed
// version, and the hosts it affects (a list on the shared list component)
// with installed → fixed version and the upgrade command. Read only.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { CVE_HOST_LIST } from "../lib/listSpecs";
import { safeHref } from "../lib/problemFilters";
import { Time } from "../components/Time";
import { DataList, ListFilters, useListState, type ListQuery, type QueryOf } from "../components/DataList";
import { Severity, findingColumns, nvdLink } from "./vulnColumns";

type Detail = Schemas["VulnerabilityDetail"];

export function CvePage() {
  const { cve = "" } = useParams();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<{ status: number; message: string } | null>(null);
  const list = useListState(CVE_HOST_LIST);

  useEffect(() => {
    setDetail(null);
    setError(null);
    api.GET("/api/v1/vulnerabilities/{cve}", { params: { path: { cve } } }).then(
      ({ data, error: e, response }) => {
        if (data) setDetail(data);
        else setError({ status: response.status, message: errorMessage(e, "Loading the CVE failed") });
      },
      (e) => setError({ status: 0, message: errorMessage(e, "The server did not answer") }),
    );
  }, [cve]);

  const load = useCallback(
    (q: ListQuery) =>
      api.GET("/api/v1/vulnerabilities/{cve}/hosts", { params: { path: { cve }, query: q as QueryOf<"/api/v1/vulnerabilities/{cve}/hosts"> } }),
    [cve],
  );
  const columns = useMemo(
    () => findingColumns().filter((c) => !["cve", "severity", "cvss", "nvd"].includes(c.id)).map((c) => (c.id === "host" ? { ...c, required: true } : c)),
    [],
  );

  const back = (
    <p>
      <Link to="/vulnerabilities">Vulnerabilities</Link> /
    </p>
  );
  if (error) {
    return (
      <section className="page">
        {back}
        <h1>{cve}</h1>
        {error.status === 404 ? (
          <div className="empty" role="status">
            <p>
              {cve} is not in the server's feed database, or no feed speaks of it. Import the feed that lists it (
              <code>warden feed import</code>, docs/server.md), or check the id. Its NVD page:{" "}
              {nvdLink(cve) ? (
                <a href={nvdLink(cve)!} target="_blank" rel="noopener noreferrer">
                  {cve} on NVD
                </a>
              ) : (
                ""
              )}
              .
            </p>
          </div>
        ) : (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
      </section>
    );
  }
  if (!detail) return <p className="loading">Loading…</p>;
  const nvd = nvdLink(detail.cve, detail.links.nvd);
  return (
    <section className="page">
      {back}
      <h1>{detail.cve}</h1>
      {detail.title && detail.title !== detail.description && <p className="lead">{detail.title}</p>}
      <dl className="facts wide">
        <dt>Severity</dt>
        <dd>
          <Severity value={detail.severity} />
        </dd>
        <dt>CVSS</dt>
        <dd>
          {detail.cvss_score != null ? detail.cvss_score.toFixed(1) : <span className="muted">not given</span>}
          {detail.cvss_vector ? <code className="small"> {detail.cvss_vector}</code> : ""}
        </dd>
        <dt>Published</dt>
        <dd>
          <Time value={detail.published_at} empty="unknown" />
        </dd>
        <dt>Fix</dt>
        <dd>{detail.fix_available ? "a fixed version is published" : "no fixed version yet"}</dd>
        <dt>Hosts affected</dt>
        <dd>{detail.host_count.toLocaleString()}</dd>
        <dt>Feeds</dt>
        <dd>{detail.feeds.join(", ") || <span className="muted">none</span>}</dd>
        <dt>Links</dt>
        <dd>
          <ul className="links">
            {nvd && (
              <li>
                <a href={nvd} target="_blank" rel="noopener noreferrer">
                  NVD: {detail.cve}
                </a>
              </li>
            )}
            {detail.links.vendor.map((l) => {
              const href = safeHref(l);
              return <li key={l}>{href ? <a href={href} target="_blank" rel="noopener noreferrer">{l}</a> : <span>{l}</span>}</li>;
            })}
          </ul>
        </dd>
      </dl>
      <h2>Description</h2>
      <p className="prose">{detail.description ?? <span className="muted">The feeds give no description.</span>}</p>

      <h2>Affected packages</h2>
      {detail.packages.length === 0 ? (
        <p className="empty">No package in the fleet is affected.</p>
      ) : (
        <div className="table-wrap">
          <table className="grid">
            <caption className="sr-only">Affected packages of {detail.cve} per release</caption>
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Release</th>
                <th scope="col">Fixed version</th>
                <th scope="col">Vendor status</th>
                <th scope="col" className="num">Hosts</th>
              </tr>
            </thead>
            <tbody>
              {detail.packages.map((p) => (
                <tr key={`${p.package}/${p.release}`}>
                  <td>{p.package}</td>
                  <td>{p.release}</td>
                  <td>{p.fixed_version ?? <span className="muted">none</span>}</td>
                  <td>{p.vendor_status.replace(/_/g, " ")}</td>
                  <td className="num">{p.host_count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Affected hosts</h2>
      <ListFilters
        list={list}
        label="Filter affected hosts"
        fields={[
          { key: "fixable", label: "Fix available", control: "bool" },
          { key: "package", label: "Package", control: "text" },
          { key: "label", label: "Label", control: "csv", placeholder: "env=prod" },
          { key: "q", label: "Search hosts", control: "text", placeholder: "host name" },
        ]}
      />
      <DataList
        name={`Hosts affected by ${detail.cve}`}
        prefsKey="cve-hosts"
        list={list}
        load={load}
        exportPath={`/api/v1/vulnerabilities/${encodeURIComponent(detail.cve)}/hosts/export`}
        columns={columns}
        rowKey={(f) => `${f.host_id}/${f.package}/${f.arch ?? ""}`}
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No affected host matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>No host has a package this CVE affects (hosts are matched again when they send their packages or a feed is imported).</p>
          )
        }
      />
    </section>
  );
}
