// Cells and columns the vulnerability lists share (the Vulnerabilities page's
// tabs, the CVE page, the host page): severity badge, CVE link (to the
// console's CVE page, and NVD only as an http(s) link) and the finding
// columns. Rendering only; no fetching.
import { Link } from "react-router-dom";
import type { Schemas } from "../api/client";
import { safeHref } from "../lib/problemFilters";
import type { Column } from "../components/DataList";
import { Time } from "../components/Time";

type Finding = Schemas["VulnerabilityFinding"];

export function Severity({ value, cvss }: { value: Schemas["Severity"]; cvss?: number | null }) {
  return (
    <>
      <span className={`badge sev-${value}`}>{value}</span>
      {cvss != null ? <span className="muted"> {cvss.toFixed(1)}</span> : ""}
    </>
  );
}

export function CveLink({ cve }: { cve: string }) {
  return <Link to={`/vulnerabilities/${encodeURIComponent(cve)}`}>{cve}</Link>;
}

export function nvdLink(cve: string, given?: string | null): string | null {
  return safeHref(given ?? `https://nvd.nist.gov/vuln/detail/${encodeURIComponent(cve)}`);
}

export function FixedVersion({ f }: { f: Pick<Finding, "installed_version" | "fixed_version" | "vendor_status"> }) {
  return (
    <>
      {f.installed_version} → {f.fixed_version ?? <span className="muted">no fix ({f.vendor_status.replace(/_/g, " ")})</span>}
    </>
  );
}

export function findingColumns(): Column<Finding>[] {
  return [
    {
      id: "host",
      label: "Host",
      sort: "hostname",
      cell: (f) => <Link to={`/hosts/${encodeURIComponent(f.host_id)}`}>{f.hostname}</Link>,
    },
    { id: "cve", label: "CVE", sort: "cve", required: true, cell: (f) => <CveLink cve={f.cve} /> },
    { id: "severity", label: "Severity", sort: "severity", cell: (f) => <Severity value={f.severity} /> },
    { id: "cvss", label: "CVSS", sort: "cvss_score", className: "num", cell: (f) => (f.cvss_score != null ? f.cvss_score.toFixed(1) : "") },
    {
      id: "package",
      label: "Package",
      sort: "package",
      cell: (f) => (
        <>
          {f.package}
          {f.source_package && f.source_package !== f.package ? <span className="muted small"> (source {f.source_package})</span> : ""}
        </>
      ),
    },
    { id: "versions", label: "Installed → fixed", cell: (f) => <FixedVersion f={f} /> },
    { id: "upgrade", label: "Upgrade", cell: (f) => (f.upgrade_command ? <code>{f.upgrade_command}</code> : "") },
    { id: "first", label: "First seen", sort: "first_seen_at", shown: false, cell: (f) => <Time value={f.first_seen_at} /> },
    {
      id: "nvd",
      label: "NVD",
      shown: false,
      cell: (f) => {
        const href = nvdLink(f.cve, f.links.nvd);
        return href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            NVD<span className="sr-only"> page of {f.cve}</span>
          </a>
        ) : (
          ""
        );
      },
    },
  ];
}
