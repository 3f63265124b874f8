// A modal dialog: a labelled role="dialog" over a backdrop, focus moved into
// it on open and given back on close, Escape closes. It holds no form logic
// of its own; callers put their form or text inside.
import { useEffect, useId, useRef, type ReactNode } from "react";

export function Dialog({ title, onClose, children, wide = false }: { title: ReactNode; onClose(): void; children: ReactNode; wide?: boolean }) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>("[data-autofocus], input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea, button:not(:disabled)");
    (first ?? box.current)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        close.current();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      before?.focus?.();
    };
  }, []);

  return (
    <div className="backdrop">
      <div ref={box} role="dialog" aria-modal="true" aria-labelledby={id} className={wide ? "dialog wide" : "dialog"} tabIndex={-1}>
        <h2 id={id}>{title}</h2>
        {children}
      </div>
    </div>
  );
}
