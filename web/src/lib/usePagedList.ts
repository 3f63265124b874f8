// One server-paged list's state for the Recipes and Cloud pages: the
// current page's items, cursor paging (the cursors of the pages seen, so
// "Previous" needs no refetch), loading and error, refetched when the key
// (sort, filters) or reload counter changes. It keeps nothing in the URL
// itself: the page puts its filters there and passes them in `key`.
import { useEffect, useState } from "react";
import { errorMessage } from "../api/client";

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
  total: number;
}

export function usePagedList<T>(
  load: (cursor: string | undefined) => Promise<{ data?: Page<T>; error?: unknown }>,
  key: string,
  what: string,
) {
  const [paging, setPaging] = useState<{ page: number; cursors: (string | undefined)[] }>({ page: 0, cursors: [undefined] });
  const [result, setResult] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => setPaging({ page: 0, cursors: [undefined] }), [key]);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    load(paging.cursors[paging.page]).then(
      ({ data, error: e }) => {
        if (cancelled) return;
        setLoading(false);
        if (data) {
          setResult(data);
          setError(null);
        } else setError(errorMessage(e, `Loading ${what} failed`));
      },
      (e) => {
        if (cancelled) return;
        setLoading(false);
        setError(errorMessage(e, "The server did not answer"));
      },
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, paging, reload]);

  return {
    result,
    items: result?.items ?? [],
    error,
    loading,
    refresh: () => setReload((n) => n + 1),
    pager: {
      page: paging.page,
      hasNext: !!result?.next_cursor,
      onPrevious: () => setPaging((p) => ({ ...p, page: Math.max(0, p.page - 1) })),
      onNext: () =>
        setPaging((p) => {
          const cursors = p.cursors.slice(0, p.page + 1);
          cursors.push(result?.next_cursor ?? undefined);
          return { page: p.page + 1, cursors };
        }),
    },
  };
}
