// The ListSpecs (src/lib/listState.ts) of the console's lists other than
// problems (src/lib/problemFilters.ts): each list's filters with their URL
// keys and API names, sort fields and defaults, as api/openapi.yaml declares
// them. Pure data; no fetching, no rendering.
import type { ListSpec } from "./listState";

export const HOST_STATUSES = ["online", "offline", "revoked"] as const;
export const RISK_VALUES = ["extreme", "very_high", "high", "medium", "low"] as const;
export const SEVERITIES = ["critical", "high", "medium", "low", "none"] as const;

export const HOST_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "status", api: "status", type: "list", values: HOST_STATUSES },
    { key: "label", api: "label", type: "list" },
    { key: "os", api: "os_id", type: "text" },
    { key: "min_risk", api: "min_risk_level", type: "one", values: RISK_VALUES },
    { key: "cve", api: "cve", type: "list" },
    { key: "package", api: "package", type: "text" },
    { key: "duplicate", api: "duplicate_identity", type: "bool" },
  ],
  sorts: ["hostname", "last_seen_at", "enrolled_at", "os", "agent_version", "open_problems", "risk_level", "vulnerabilities"],
  descFirst: ["last_seen_at", "enrolled_at", "open_problems", "risk_level", "vulnerabilities"],
  defaultSort: "hostname",
};

const severityFilters = [
  { key: "severity", api: "severity", type: "list", values: SEVERITIES },
  { key: "min_severity", api: "min_severity", type: "one", values: SEVERITIES },
] as const;

// One host's findings (host page).
export const HOST_FINDING_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "cve", api: "cve", type: "list" },
    { key: "package", api: "package", type: "text" },
    ...severityFilters,
    { key: "min_cvss", api: "min_cvss", type: "number" },
    { key: "fixable", api: "fix_available", type: "bool" },
  ],
  sorts: ["cve", "package", "severity", "cvss_score", "first_seen_at"],
  descFirst: ["severity", "cvss_score", "first_seen_at"],
  defaultSort: "-severity",
  defaultPageSize: 25,
};

export const HOST_PORT_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "protocol", api: "protocol", type: "list", values: ["tcp", "udp"] },
    { key: "loopback", api: "loopback", type: "bool" },
  ],
  sorts: ["port", "protocol", "address", "process", "first_seen_at", "last_seen_at"],
  descFirst: ["first_seen_at", "last_seen_at"],
  defaultSort: "port",
  defaultPageSize: 25,
};

export const HOST_PACKAGE_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "vulnerable", api: "vulnerable", type: "bool" },
  ],
  sorts: ["name", "version", "first_seen_at", "cve_count"],
  descFirst: ["first_seen_at", "cve_count"],
  defaultSort: "name",
  defaultPageSize: 25,
};

export const HOST_RUN_LIST: ListSpec = {
  filters: [
    { key: "rule", api: "rule_id", type: "list" },
    { key: "outcome", api: "outcome", type: "list", values: ["succeeded", "failed", "timed_out", "skipped", "running"] },
  ],
  sorts: ["started_at", "rule_id", "duration_ms"],
  descFirst: ["started_at", "duration_ms"],
  defaultSort: "-started_at",
  defaultPageSize: 25,
};

// Fleet-wide vulnerabilities by CVE.
export const VULN_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    ...severityFilters,
    { key: "min_cvss", api: "min_cvss", type: "number" },
    { key: "fixable", api: "fix_available", type: "bool" },
    { key: "host", api: "host_id", type: "list" },
    { key: "label", api: "label", type: "list" },
    { key: "package", api: "package", type: "text" },
  ],
  sorts: ["cve", "severity", "cvss_score", "host_count", "published_at"],
  descFirst: ["severity", "cvss_score", "host_count", "published_at"],
  defaultSort: "-severity",
};

// Every finding (host × package × CVE); the by-host view sorts by host.
export const FINDING_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    ...severityFilters,
    { key: "min_cvss", api: "min_cvss", type: "number" },
    { key: "fixable", api: "fix_available", type: "bool" },
    { key: "host", api: "host_id", type: "list" },
    { key: "label", api: "label", type: "list" },
    { key: "package", api: "package", type: "text" },
    { key: "cve", api: "cve", type: "list" },
  ],
  sorts: ["hostname", "cve", "package", "severity", "cvss_score", "first_seen_at"],
  descFirst: ["severity", "cvss_score", "first_seen_at"],
  defaultSort: "hostname",
};

export const VULN_PACKAGE_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    ...severityFilters,
    { key: "fixable", api: "fix_available", type: "bool" },
    { key: "host", api: "host_id", type: "list" },
    { key: "label", api: "label", type: "list" },
  ],
  sorts: ["package", "cve_count", "host_count", "max_severity"],
  descFirst: ["cve_count", "host_count", "max_severity"],
  defaultSort: "-max_severity",
};

export const FIX_FIRST_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    ...severityFilters,
    { key: "host", api: "host_id", type: "list" },
    { key: "label", api: "label", type: "list" },
  ],
  sorts: ["impact", "cves_cleared", "host_count", "max_severity", "package"],
  descFirst: ["impact", "cves_cleared", "host_count", "max_severity"],
  defaultSort: "-impact",
};

// The hosts one CVE affects (CVE page).
export const CVE_HOST_LIST: ListSpec = {
  filters: [
    { key: "q", api: "q", type: "text" },
    { key: "package", api: "package", type: "text" },
    { key: "fixable", api: "fix_available", type: "bool" },
    { key: "label", api: "label", type: "list" },
  ],
  sorts: ["hostname", "package", "first_seen_at"],
  descFirst: ["first_seen_at"],
  defaultSort: "hostname",
};
