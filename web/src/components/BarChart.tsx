// Horizontal bar chart in plain SVG, each bar a link to the list it counts.
// Plain SVG rather than a chart library: a handful of bars needs no library
// (nothing to load lazily, no bytes added to the first page), and SVG's
// width attributes are not inline styles, so the Content-Security-Policy
// holds. Accessible: each bar is a link whose text says the label and count;
// the drawn bar is decoration (aria-hidden). It draws no axes, no time series.
import { Link } from "react-router-dom";

export interface Bar {
  label: string;
  count: number | null;
  href: string;
  // A CSS class for the bar's colour (risk-high, sev-critical, …).
  tone?: string;
}

export function BarChart({ bars, label }: { bars: Bar[]; label: string }) {
  const max = Math.max(1, ...bars.map((b) => b.count ?? 0));
  return (
    <ul className="bars" aria-label={label}>
      {bars.map((b) => (
        <li key={b.label}>
          <Link to={b.href} className="bar-link">
            <span className="bar-label">{b.label}</span>
            <svg className="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
              <rect className="bar-track" x="0" y="0" width="100" height="10" />
              <rect className={`bar-fill ${b.tone ?? ""}`} x="0" y="0" width={b.count ? Math.max(1, (100 * b.count) / max) : 0} height="10" />
            </svg>
            <span className="bar-count">{b.count === null ? "…" : b.count.toLocaleString()}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
