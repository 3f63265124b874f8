// A time in the viewer's zone, the exact UTC time on hover.
import { formatLocal, formatUtc } from "../lib/time";

export function Time({ value, empty = "—" }: { value: string | null | undefined; empty?: string }) {
  if (!value) return <span className="muted">{empty}</span>;
  return (
    <time dateTime={value} title={formatUtc(value)}>
      {formatLocal(value)}
    </time>
  );
}
