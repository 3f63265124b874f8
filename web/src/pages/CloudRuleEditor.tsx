// The editor of one cloud rule's settings at one level (an organisation or
// an account): enabled, risk level, the RTM-011 pattern rows (a table of
// regex cells, add and remove rows, a try-out of the rows against a sample
// event) and canary users and keys. It checks rows like the server (a row
// needs a column) and shows the server's 422, marking the row it names.
// Exceptions are kept as they are (the rule format's match syntax; shown as
// JSON); it does not edit them.
import { useState, type FormEvent } from "react";
import { RISK_LABELS } from "../lib/problemFilters";
import { RISK_LEVELS } from "../lib/recipeForm";
import { COLUMNS, formToSettings, rowFromMessage, settingsToForm, tryRows, type CloudRuleForm, type CloudRuleSettings, type SampleEvent } from "../lib/cloudRules";

const COLUMN_LABEL = { eventName: "eventName", eventSource: "eventSource", userIdentityType: "userIdentity.type" } as const;

export function CloudRuleEditor({
  ruleId,
  title,
  level,
  current,
  showPatterns,
  showCanary,
  onSave,
  onCancel,
}: {
  ruleId: string;
  title: string;
  level: "organisation" | "account";
  current: CloudRuleSettings | undefined;
  showPatterns: boolean;
  showCanary: boolean;
  // Resolves to null when saved, else the server's message.
  onSave(settings: CloudRuleSettings | null): Promise<string | null>;
  onCancel(): void;
}) {
  const [form, setForm] = useState<CloudRuleForm>(() => {
    const f = settingsToForm(current);
    if (showPatterns && !f.usePatterns) return { ...f, usePatterns: true, rows: [{ eventName: "", eventSource: "", userIdentityType: "" }] };
    if (showCanary && !f.useCanary) return { ...f, useCanary: true };
    return f;
  });
  const [sample, setSample] = useState<SampleEvent>({ eventName: "", eventSource: "", userIdentityType: "" });
  const [serverError, setServerError] = useState<{ message: string; row: number | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const { settings, check } = formToSettings(form);
  const [showErrors, setShowErrors] = useState(false);
  const results = sample.eventName || sample.eventSource || sample.userIdentityType ? tryRows(form.rows, sample) : null;

  const set = (change: Partial<CloudRuleForm>) => setForm({ ...form, ...change });
  const setCell = (i: number, c: (typeof COLUMNS)[number], v: string) => set({ rows: form.rows.map((r, j) => (j === i ? { ...r, [c]: v } : r)) });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setShowErrors(true);
    if (Object.keys(check.errors).length) return;
    setBusy(true);
    const message = await onSave(settings);
    setBusy(false);
    if (message) setServerError({ message, row: rowFromMessage(message) });
  };
  const clear = async () => {
    setBusy(true);
    const message = await onSave(null);
    setBusy(false);
    if (message) setServerError({ message, row: null });
  };
  const errCount = Object.keys(check.errors).length;

  return (
    <form className="panel" onSubmit={submit} aria-labelledby={`edit-${ruleId}`} noValidate>
      <h3 id={`edit-${ruleId}`}>
        <code>{ruleId}</code> {title}: {level} settings
      </h3>
      <p className="muted small">Blank fields are not set at this level. Saving replaces this rule's {level} settings whole; “Remove {level} settings” drops them.</p>
      <div className="field-grid">
        <label>
          Enabled
          <select value={form.enabled} onChange={(e) => set({ enabled: e.target.value as CloudRuleForm["enabled"] })}>
            <option value="">not set</option>
            <option value="true">on</option>
            <option value="false">off</option>
          </select>
        </label>
        <label>
          Risk level
          <select value={form.risk} onChange={(e) => set({ risk: e.target.value as CloudRuleForm["risk"] })}>
            <option value="">not set</option>
            {RISK_LEVELS.map((r) => (
              <option key={r} value={r}>
                {RISK_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {(showPatterns || form.usePatterns) && (
        <fieldset className="rule">
          <legend>Pattern rows (RTM-011)</legend>
          <p className="muted small">
            A row fires when every column it gives matches (PCRE2 regexes; a missing field reads as the empty string; an empty cell matches anything). The API has no dry-run:
            the try-out below runs the rows in your browser's regex engine, and the server checks them with PCRE2 when you save.
          </p>
          <label className="inline">
            <input type="checkbox" checked={form.usePatterns} onChange={(e) => set({ usePatterns: e.target.checked })} />
            Set pattern rows at this level
          </label>
          {form.usePatterns && (
            <>
              <div className="table-wrap">
                <table className="grid pattern-rows">
                  <caption className="sr-only">Pattern rows of {ruleId}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Row</th>
                      {COLUMNS.map((c) => (
                        <th key={c} scope="col">
                          {COLUMN_LABEL[c]}
                        </th>
                      ))}
                      <th scope="col">Check</th>
                      {results && <th scope="col">Sample event</th>}
                      <th scope="col">Action</th>
                    </tr>
                  </thead>
                  <tbody>
                    {form.rows.map((r, i) => {
                      const rowErr = check.errors[`row:${i}`];
                      const warns = COLUMNS.map((c) => check.warnings[`row:${i}:${c}`]).filter(Boolean);
                      const server = serverError?.row === i ? serverError.message : null;
                      return (
                        <tr key={i}>
                          <td>{i + 1}</td>
                          {COLUMNS.map((c) => (
                            <td key={c}>
                              <input
                                aria-label={`Row ${i + 1} ${COLUMN_LABEL[c]}`}
                                value={r[c]}
                                spellCheck={false}
                                aria-invalid={(showErrors && rowErr) || server || check.warnings[`row:${i}:${c}`] ? true : undefined}
                                onChange={(e) => setCell(i, c, e.target.value)}
                              />
                            </td>
                          ))}
                          <td className="small" aria-live="polite">
                            {server ? (
                              <span className="field-error">{server}</span>
                            ) : rowErr && showErrors ? (
                              <span className="field-error">{rowErr}</span>
                            ) : warns.length ? (
                              <span className="field-error">{warns[0]}</span>
                            ) : rowErr ? (
                              <span className="muted">{rowErr}</span>
                            ) : (
                              <span className="muted">ok</span>
                            )}
                          </td>
                          {results && <td className="small">{results[i] === "matches" ? <strong>matches</strong> : results[i]}</td>}
                          <td>
                            <button type="button" onClick={() => set({ rows: form.rows.filter((_, j) => j !== i) })} aria-label={`Remove row ${i + 1}`}>
                              Remove
                            </button>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              {form.rows.length === 0 && <p className="muted">No rows: the rule has nothing to match and cannot fire.</p>}
              <p>
                <button type="button" onClick={() => set({ rows: [...form.rows, { eventName: "", eventSource: "", userIdentityType: "" }] })}>
                  Add row
                </button>
              </p>
              <fieldset className="target">
                <legend>Try the rows on a sample event</legend>
                <div className="field-grid">
                  {COLUMNS.map((c) => (
                    <label key={c}>
                      Sample {COLUMN_LABEL[c]}
                      <input value={sample[c]} onChange={(e) => setSample({ ...sample, [c]: e.target.value })} placeholder={c === "eventName" ? "DeleteBucket" : c === "eventSource" ? "s3.amazonaws.com" : "IAMUser"} />
                    </label>
                  ))}
                </div>
              </fieldset>
            </>
          )}
        </fieldset>
      )}
      {(showCanary || form.useCanary) && (
        <fieldset className="rule">
          <legend>Canary identities</legend>
          <label className="inline">
            <input type="checkbox" checked={form.useCanary} onChange={(e) => set({ useCanary: e.target.checked })} />
            Set canary users and keys at this level
          </label>
          {form.useCanary && (
            <div className="field-grid">
              <label>
                Canary users (one a line)
                <textarea rows={3} value={form.canaryUsers} onChange={(e) => set({ canaryUsers: e.target.value })} />
              </label>
              <label>
                Canary access keys (one a line)
                <textarea rows={3} value={form.canaryKeys} onChange={(e) => set({ canaryKeys: e.target.value })} />
              </label>
            </div>
          )}
          {showErrors && check.errors.canary && <span className="field-error">{check.errors.canary}</span>}
        </fieldset>
      )}
      {form.exceptions && form.exceptions.length > 0 && (
        <p className="small">
          Exceptions at this level (kept as they are): <code>{JSON.stringify(form.exceptions)}</code>
        </p>
      )}
      {showErrors && errCount > 0 && (
        <p className="error" role="alert">
          Not saved: {errCount} row{errCount === 1 ? " is" : "s are"} wrong (see Check).
        </p>
      )}
      {serverError && (
        <p className="error" role="alert">
          The server refused it: {serverError.message}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {current && (
          <button type="button" onClick={clear} disabled={busy}>
            Remove {level} settings
          </button>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Save {ruleId}
        </button>
      </div>
    </form>
  );
}
