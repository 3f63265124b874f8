// The one time a new secret (API token, enrol secret, one-time password) is
// shown: a dialog with the value, a Copy button and a warning that it will
// not be shown again. The value lives only in the caller's state and is
// dropped when the dialog closes; nothing stores it.
import type { ReactNode } from "react";
import { Dialog } from "./Dialog";
import { CopyField } from "./CopyField";

export function SecretOnce({ title, label, value, onClose, children }: { title: string; label: string; value: string; onClose(): void; children?: ReactNode }) {
  return (
    <Dialog title={title} onClose={onClose} wide>
      <div className="stack">
        <p className="warning" role="note">
          Copy it now: this is the only time it is shown. The server keeps only a hash; closing this dialog or reloading the page loses it for good.
        </p>
        <CopyField label={label} value={value} />
        {children}
        <div className="actions">
          <button type="button" className="primary" onClick={onClose}>
            I have copied it — close
          </button>
        </div>
      </div>
    </Dialog>
  );
}

// "Are you sure?" for an action that cannot be undone.
export function Confirm({ title, children, confirm, onConfirm, onClose, busy, error }: { title: string; children: ReactNode; confirm: string; onConfirm(): void; onClose(): void; busy?: boolean; error?: string | null }) {
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="stack">
        {children}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary danger" onClick={onConfirm} disabled={busy}>
            {confirm}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
