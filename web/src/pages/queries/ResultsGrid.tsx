// The rows of a live query in a virtualised table (@tanstack/react-virtual):
// only the rows in view are in the DOM, so 100,000 rows scroll smoothly.
// Filter (any cell or host name) and sort (click a header) work on the rows
// held in the browser. Cells are React text (NULL shown as a muted word).
// The two spacer rows get their height from the cell's `height` attribute
// (no style attribute: the Content-Security-Policy allows none).
// It fetches nothing: the page feeds it from the stream.
import { useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { HOST_COLUMN, cellText, viewRows, type GridView, type RunStore } from "../../lib/liveRun";

const ROW_HEIGHT = 30;

export function ResultsGrid({ store, version }: { store: RunStore; version: number }) {
  const [view, setView] = useState<GridView>({ filter: "", sort: null });
  const scroller = useRef<HTMLDivElement>(null);
  const hostname = (id: string) => store.hostname(id);
  // Recomputed when rows arrive (version) or the view changes.
  const shown = useMemo(
    () => viewRows(store.rows, hostname, view),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store, version, view],
  );
  const columns = store.columns;
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;

  const sortBy = (column: string) =>
    setView((v) => ({
      ...v,
      sort: v.sort?.column === column ? (v.sort.descending ? null : { column, descending: true }) : { column, descending: false },
    }));
  const ariaSort = (column: string) => (view.sort?.column === column ? (view.sort.descending ? "descending" : "ascending") : "none");
  const header = (column: string, label: string) => (
    <th scope="col" key={column} aria-sort={ariaSort(column)}>
      <button type="button" className="sort" onClick={() => sortBy(column)}>
        {label}
        {view.sort?.column === column ? (view.sort.descending ? " ▼" : " ▲") : ""}
      </button>
    </th>
  );

  return (
    <div className="results">
      <div className="toolbar">
        <label className="inline">
          Filter rows
          <input type="search" value={view.filter} onChange={(e) => setView({ ...view, filter: e.target.value })} placeholder="any cell or host" />
        </label>
        <span className="muted" aria-live="polite" data-testid="row-count">
          {shown.length === store.rows.length
            ? `${store.rows.length.toLocaleString("en")} row${store.rows.length === 1 ? "" : "s"}`
            : `${shown.length.toLocaleString("en")} of ${store.rows.length.toLocaleString("en")} rows`}
        </span>
      </div>
      <div className="results-scroll" ref={scroller} tabIndex={0} aria-label="Result rows (scrollable)" role="region">
        <table className="grid results-table" aria-rowcount={shown.length + 1}>
          <caption className="sr-only">Query results, one row per result row, with the host that returned it</caption>
          <thead>
            <tr aria-rowindex={1}>
              {header(HOST_COLUMN, "host")}
              {columns.map((c) => header(c, c))}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={columns.length + 1} height={padTop} />
              </tr>
            )}
            {items.map((item) => {
              const r = store.rows[shown[item.index]];
              return (
                <tr key={item.key} aria-rowindex={item.index + 2} data-index={item.index}>
                  <td>{store.hostname(r.host_id)}</td>
                  {columns.map((c) => {
                    const v = r.row[c];
                    const text = cellText(v);
                    return (
                      <td key={c} title={text.length > 40 ? text : undefined} className={v === null || v === undefined ? "muted" : typeof v === "number" ? "num" : undefined}>
                        {text}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={columns.length + 1} height={padBottom} />
              </tr>
            )}
          </tbody>
        </table>
        {store.rows.length > 0 && shown.length === 0 && <p className="empty">No row matches “{view.filter}”.</p>}
      </div>
    </div>
  );
}
