import { RISK_LABELS, type RiskLevel } from "../lib/problemFilters";

export function Risk({ level }: { level: RiskLevel }) {
  return <span className={`badge risk-${level}`}>{RISK_LABELS[level] ?? level}</span>;
}

export function Status({ value }: { value: string }) {
  return <span className={`badge status-${value}`}>{value}</span>;
}
