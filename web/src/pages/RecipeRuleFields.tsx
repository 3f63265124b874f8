// The fields of one recipe rule (enabled, risk, schedule and the detector's
// own settings) for the recipe form. Every field may be left blank ("not set
// by this recipe": the agent's file or the detector's default decides); errors
// (the form's own checks or the server's 422) show next to their field. It
// holds no state: the recipe page owns the form.
import type { ReactNode } from "react";
import { RISK_LABELS } from "../lib/problemFilters";
import { RISK_LEVELS, RULE_DEFAULTS, RULE_TITLES, SEVERITIES, ptr, type FieldErrors, type KnownRule, type RuleForm } from "../lib/recipeForm";

export function fieldId(key: string): string {
  return "f" + key.replace(/[^A-Za-z0-9]+/g, "-");
}

function Field({ label, k, errors, hint, children }: { label: string; k: string; errors: FieldErrors; hint?: string; children: (props: object) => ReactNode }) {
  const id = fieldId(k);
  const err = errors[k];
  const describedBy = [err ? `${id}-err` : "", hint ? `${id}-hint` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${err ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": err ? true : undefined, "aria-describedby": describedBy })}
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {err && (
        <span id={`${id}-err`} className="field-error" role="alert">
          {err}
        </span>
      )}
    </div>
  );
}

function TriSelect({ value, onChange, on = "on", off = "off", ...props }: { value: string; onChange(v: "" | "true" | "false"): void; on?: string; off?: string }) {
  return (
    <select {...props} value={value} onChange={(e) => onChange(e.target.value as "" | "true" | "false")}>
      <option value="">not set</option>
      <option value="true">{on}</option>
      <option value="false">{off}</option>
    </select>
  );
}

export function RuleFields({
  rule,
  form,
  errors,
  disabled,
  onChange,
}: {
  rule: KnownRule;
  form: RuleForm;
  errors: FieldErrors;
  disabled: boolean;
  onChange(f: RuleForm): void;
}) {
  const set = (change: Partial<RuleForm>) => onChange({ ...form, ...change });
  const sch = form.schedule;
  const setSch = (change: Partial<RuleForm["schedule"]>) => set({ schedule: { ...sch, ...change } });
  const k = (...p: string[]) => ptr(rule, ...p);
  return (
    <fieldset className="rule" disabled={disabled} aria-describedby={errors[k()] ? `${fieldId(k())}-err` : undefined}>
      <legend>
        <code>{rule}</code> {RULE_TITLES[rule]}
      </legend>
      <p className="muted small">Defaults: {RULE_DEFAULTS[rule]}. Blank fields are not set by this recipe.</p>
      {errors[k()] && (
        <p id={`${fieldId(k())}-err`} className="field-error" role="alert">
          {errors[k()]}
        </p>
      )}
      <div className="field-grid">
        <Field label="Enabled" k={k("enabled")} errors={errors}>
          {(p) => <TriSelect {...p} value={form.enabled} onChange={(v) => set({ enabled: v })} />}
        </Field>
        <Field label="Risk level" k={k("risk_level")} errors={errors}>
          {(p) => (
            <select {...p} value={form.risk} onChange={(e) => set({ risk: e.target.value as RuleForm["risk"] })}>
              <option value="">not set</option>
              {RISK_LEVELS.map((r) => (
                <option key={r} value={r}>
                  {RISK_LABELS[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Schedule" k={k("schedule")} errors={errors}>
          {(p) => (
            <select {...p} value={sch.mode} onChange={(e) => setSch({ mode: e.target.value as RuleForm["schedule"]["mode"] })}>
              <option value="">not set</option>
              <option value="interval">every interval</option>
              <option value="daily">daily at times</option>
            </select>
          )}
        </Field>
        {sch.mode === "interval" && (
          <Field label="Interval" k={k("schedule", "interval")} errors={errors} hint="300s, 5m, 1h">
            {(p) => <input {...p} value={sch.interval} onChange={(e) => setSch({ interval: e.target.value })} />}
          </Field>
        )}
        {sch.mode === "daily" && (
          <Field label="Daily at" k={k("schedule", "daily")} errors={errors} hint="HH:MM, comma separated">
            {(p) => <input {...p} value={sch.daily} placeholder="03:00, 15:30" onChange={(e) => setSch({ daily: e.target.value })} />}
          </Field>
        )}
        {sch.mode !== "" && (
          <>
            <Field label="Splay (%)" k={k("schedule", "splay_percent")} errors={errors} hint="0–100">
              {(p) => <input {...p} inputMode="numeric" value={sch.splay} onChange={(e) => setSch({ splay: e.target.value })} />}
            </Field>
            <Field label="Time zone" k={k("schedule", "timezone")} errors={errors}>
              {(p) => (
                <select {...p} value={sch.timezone} onChange={(e) => setSch({ timezone: e.target.value as RuleForm["schedule"]["timezone"] })}>
                  <option value="">not set</option>
                  <option value="utc">UTC</option>
                  <option value="local">host's local time</option>
                </select>
              )}
            </Field>
            <Field label="Run at start" k={k("schedule", "run_at_start")} errors={errors}>
              {(p) => <TriSelect {...p} value={sch.runAtStart} on="yes" off="no" onChange={(v) => setSch({ runAtStart: v })} />}
            </Field>
          </>
        )}
        {rule === "HOST-OPEN-PORTS" && (
          <>
            <Field label="Allowed TCP ports" k={k("settings", "allowed_tcp")} errors={errors} hint='ports and ranges: 22, 443, 8000-8100; "none" allows none'>
              {(p) => <input {...p} value={form.allowedTcp} onChange={(e) => set({ allowedTcp: e.target.value })} />}
            </Field>
            <Field label="Allowed UDP ports" k={k("settings", "allowed_udp")} errors={errors} hint="ports and ranges: 53, 68, 546">
              {(p) => <input {...p} value={form.allowedUdp} onChange={(e) => set({ allowedUdp: e.target.value })} />}
            </Field>
            <Field label="Loopback listeners" k={k("settings", "loopback")} errors={errors}>
              {(p) => (
                <select {...p} value={form.loopback} onChange={(e) => set({ loopback: e.target.value as RuleForm["loopback"] })}>
                  <option value="">not set</option>
                  <option value="ignore">ignore</option>
                  <option value="report">report</option>
                </select>
              )}
            </Field>
          </>
        )}
        {rule === "HOST-VULN" && (
          <>
            <Field label="CVE severity threshold" k={k("settings", "min_severity")} errors={errors} hint="report CVEs at or above">
              {(p) => (
                <select {...p} value={form.minSeverity} onChange={(e) => set({ minSeverity: e.target.value as RuleForm["minSeverity"] })}>
                  <option value="">not set</option>
                  {SEVERITIES.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Include unfixed CVEs" k={k("settings", "include_unfixed")} errors={errors}>
              {(p) => <TriSelect {...p} value={form.includeUnfixed} on="yes" off="no" onChange={(v) => set({ includeUnfixed: v })} />}
            </Field>
            <Field label="Feed database path" k={k("settings", "feed_database")} errors={errors}>
              {(p) => <input {...p} value={form.feedDatabase} onChange={(e) => set({ feedDatabase: e.target.value })} />}
            </Field>
          </>
        )}
        {rule === "HOST-RUNTIME" && (
          <>
            <Field label="Forward every event" k={k("settings", "forward_events")} errors={errors}>
              {(p) => <TriSelect {...p} value={form.forwardEvents} on="yes" off="no" onChange={(v) => set({ forwardEvents: v })} />}
            </Field>
            <Field label="Syscall events" k={k("settings", "syscall_events")} errors={errors}>
              {(p) => (
                <select {...p} value={form.syscallEvents} onChange={(e) => set({ syscallEvents: e.target.value as RuleForm["syscallEvents"] })}>
                  <option value="">not set</option>
                  <option value="hooks">hooks</option>
                  <option value="dispatcher">dispatcher</option>
                  <option value="off">off</option>
                </select>
              )}
            </Field>
            <Field label="Collector tier" k={k("settings", "tier")} errors={errors}>
              {(p) => (
                <select {...p} value={form.tier} onChange={(e) => set({ tier: e.target.value as RuleForm["tier"] })}>
                  <option value="">not set</option>
                  <option value="auto">auto</option>
                  <option value="ebpf">ebpf</option>
                  <option value="fallback">fallback</option>
                </select>
              )}
            </Field>
            <Field label="Extra rule files" k={k("settings", "rules")} errors={errors} hint="one path a line">
              {(p) => <textarea {...p} rows={2} value={form.runtimeRules} onChange={(e) => set({ runtimeRules: e.target.value })} />}
            </Field>
            <Field label="Sensitive paths" k={k("settings", "sensitive_paths")} errors={errors} hint="absolute paths, one a line">
              {(p) => <textarea {...p} rows={2} value={form.sensitivePaths} onChange={(e) => set({ sensitivePaths: e.target.value })} />}
            </Field>
          </>
        )}
      </div>
      {Object.keys(form.otherSettings).length > 0 && (
        <p className="muted small">
          Also set (kept as is; edit in YAML): <code>{JSON.stringify(form.otherSettings)}</code>
        </p>
      )}
    </fieldset>
  );
}
