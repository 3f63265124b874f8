// A value to copy (a new secret, an enrol command): a labelled read-only
// text box, so it can be selected and read by a screen reader, with a Copy
// button that says whether the copy worked. It never stores the value
// anywhere but the page.
import { useId, useState } from "react";

export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
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
      <label htmlFor={id} className="copy-label">
        {label}
      </label>
      <textarea
        id={id}
        className="copy-value"
        readOnly
        value={value}
        rows={Math.min(4, Math.ceil(value.length / 70))}
        spellCheck={false}
        onFocus={(e) => e.currentTarget.select()}
      />
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
