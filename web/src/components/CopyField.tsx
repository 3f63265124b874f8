// A value to copy (a new secret, an enrol command): shown as monospace text
// with a Copy button that says whether the copy worked. It never stores the
// value anywhere but the page.
import { useState } from "react";

export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("no");
    }
  };
  return (
    <div className="copy-field">
      <span className="copy-label">{label}</span>
      <code className="copy-value" aria-label={label}>
        {value}
      </code>
      <div className="copy-actions">
        <button type="button" onClick={copy}>
          Copy {label.toLowerCase()}
        </button>
        <span role="status" className="muted">
          {copied === "yes" ? "Copied." : copied === "no" ? "The browser refused to copy: select the text and copy it." : ""}
        </span>
      </div>
    </div>
  );
}
