// "Export CSV / JSON lines" of a whole filtered list: plain links to the
// list's /export twin (the browser downloads with the session cookie). The
// caller builds the URLs from the same filters as the list.
export function ExportLinks({ csv, jsonl, name }: { csv: string; jsonl: string; name: string }) {
  return (
    <>
      <a className="button" href={csv} download={`${name}.csv`}>
        Export CSV
      </a>
      <a className="button" href={jsonl} download={`${name}.jsonl`}>
        Export JSON lines
      </a>
    </>
  );
}

// The export URL of a list endpoint for a query (arrays comma-joined).
export function exportHref(path: string, format: "csv" | "jsonl", query: Record<string, unknown>): string {
  const p = new URLSearchParams();
  p.set("format", format);
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    p.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  return `${path}?${p.toString()}`;
}
