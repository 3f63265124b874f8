// Cursor paging: the API gives the next page's cursor; the pages seen are
// kept so "Previous" goes back without refetching cursors.
export interface PagerProps {
  page: number;
  pageSize: number;
  shown: number;
  total: number;
  hasNext: boolean;
  onPrevious(): void;
  onNext(): void;
}

export function Pager({ page, pageSize, shown, total, hasNext, onPrevious, onNext }: PagerProps) {
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = page * pageSize + shown;
  return (
    <nav className="pager" aria-label="Pages">
      <span aria-live="polite">
        {first}–{last} of {total.toLocaleString()}
      </span>
      <button type="button" onClick={onPrevious} disabled={page === 0}>
        Previous
      </button>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next
      </button>
    </nav>
  );
}

// The paging state of one list: page number and the cursor of each page.
export function pagingReset(): { page: number; cursors: (string | undefined)[] } {
  return { page: 0, cursors: [undefined] };
}
