// One server-paged list's state: the current page's answer, the cursors of
// the pages seen (so Previous needs no refetch of cursors), errors, and a
// reload after a change. The caller gives the fetch for one cursor and a key
// that changes when filters change (back to page 1). No rendering here.
import { useCallback, useEffect, useState } from "react";
import { errorMessage } from "../api/client";

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total: number;
}

type Fetch<T> = (cursor: string | undefined) => Promise<{ data?: Page<T>; error?: unknown }>;

export function useCursorList<T>(fetchPage: Fetch<T>, key: string, what: string) {
  const [paging, setPaging] = useState<{ page: number; cursors: (string | undefined)[] }>({ page: 0, cursors: [undefined] });
  const [result, setResult] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    setPaging({ page: 0, cursors: [undefined] });
  }, [key]);

  useEffect(() => {
    let cancelled = false;
    fetchPage(paging.cursors[paging.page]).then(
      ({ data, error: e }) => {
        if (cancelled) return;
        if (data) {
          setResult(data);
          setError(null);
        } else setError(errorMessage(e, `Loading ${what} failed`));
      },
      (e) => !cancelled && setError(errorMessage(e, "The server did not answer")),
    );
    return () => {
      cancelled = true;
    };
    // fetchPage changes with the key; the key and paging decide when to fetch.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, paging, reloads]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const previous = () => setPaging((p) => ({ ...p, page: Math.max(0, p.page - 1) }));
  const next = () => {
    if (!result?.next_cursor) return;
    const cursors = paging.cursors.slice(0, paging.page + 1);
    cursors.push(result.next_cursor);
    setPaging({ page: paging.page + 1, cursors });
  };
  return { result, error, page: paging.page, previous, next, reload };
}
