// Bulk dismiss / undismiss of the selected problems or of everything the
// filter matches. The server counts first (dry_run), the dialog shows that
// count, and only "Confirm" changes anything; a comment is required.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, errorMessage } from "../api/client";
import type { ProblemFilterBody } from "../lib/problemFilters";
import { localInputToUtc } from "../lib/time";

export type BulkAction = "dismiss" | "undismiss";
export type BulkTarget = { ids: string[] } | { filter: ProblemFilterBody };

function targetBody(target: BulkTarget) {
  return "ids" in target ? { ids: target.ids } : { filter: target.filter };
}

export function BulkDialog({ action, target, onClose }: { action: BulkAction; target: BulkTarget; onClose(message?: string): void }) {
  const [count, setCount] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [until, setUntil] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLTextAreaElement>(null);

  async function call(dryRun: boolean, text: string, expiry: string | null) {
    const body = { ...targetBody(target), dry_run: dryRun };
    if (action === "dismiss") {
      return api.POST("/api/v1/problems/bulk/dismiss", { body: { ...body, comment: text || "-", until: expiry } });
    }
    return api.POST("/api/v1/problems/bulk/undismiss", { body: { ...body, comment: text || null } });
  }

  useEffect(() => {
    first.current?.focus();
    call(true, "", null).then(({ data, error: e }) => {
      if (data) setCount(data.affected);
      else setError(errorMessage(e, "Counting the problems failed"));
    });
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!comment.trim()) return setError("A comment is required: say why.");
    const expiry = localInputToUtc(until);
    if (until && !expiry) return setError("The expiry is not a valid time.");
    if (expiry && Date.parse(expiry) <= Date.now()) return setError("The expiry must be in the future.");
    setBusy(true);
    const { data, error: e2 } = await call(false, comment.trim(), expiry);
    setBusy(false);
    if (!data) return setError(errorMessage(e2, `${action} failed`));
    const verb = action === "dismiss" ? "Dismissed" : "Undismissed";
    const failed = data.errors.length ? `; ${data.errors.length} could not be changed (${data.errors[0].message})` : "";
    onClose(`${verb} ${data.affected} problem${data.affected === 1 ? "" : "s"}${failed}.`);
  };

  const scope = "ids" in target ? `the ${target.ids.length} selected problem${target.ids.length === 1 ? "" : "s"}` : "every problem matching the filters";
  const verb = action === "dismiss" ? "Dismiss" : "Undismiss";
  return (
    <div className="backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="bulk-title" className="dialog">
        <form onSubmit={submit}>
          <h2 id="bulk-title">
            {verb} {scope}
          </h2>
          <p role="status" className="count">
            {count === null ? "Counting…" : `This ${action === "dismiss" ? "dismisses" : "undismisses"} ${count.toLocaleString()} problem${count === 1 ? "" : "s"}.`}
          </p>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <label>
            Comment (required)
            <textarea ref={first} value={comment} onChange={(e) => setComment(e.target.value)} required maxLength={4096} rows={3} />
          </label>
          {action === "dismiss" && (
            <label>
              Dismissed until (optional; your time zone)
              <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
            </label>
          )}
          <div className="actions">
            <button type="button" onClick={() => onClose()}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy || count === null || count === 0}>
              Confirm: {verb.toLowerCase()} {count ?? "…"}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
