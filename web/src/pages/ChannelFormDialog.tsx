// The create / edit form of a notification channel: kind (fixed once made),
// name, enabled, the kind's settings, its secret and the triggers. The
// secret field starts empty on edit and is sent only when something is
// typed (the API keeps the stored one otherwise and never returns it). The
// server checks everything again and its 422 is shown with the field named.
import { useState, type FormEvent } from "react";
import { api, errorMessage } from "../api/client";
import {
  ACTIONS,
  CHANNEL_TYPES,
  createBody,
  emptyForm,
  formFromChannel,
  newSigningKey,
  RISKS,
  secretLabel,
  updateBody,
  type Channel,
  type ChannelForm,
} from "../lib/channels";
import { Dialog } from "../components/Dialog";

const FACILITIES = ["user", "daemon", "auth", "authpriv", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];

export function ChannelFormDialog({ channel, onClose }: { channel?: Channel; onClose(saved?: Channel): void }) {
  const [f, setF] = useState<ChannelForm>(channel ? formFromChannel(channel) : emptyForm());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof ChannelForm>(key: K, value: ChannelForm[K]) => setF((old) => ({ ...old, [key]: value }));
  const secret = secretLabel(f.type);
  const editing = !!channel;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!editing && secret && !f.secret) return setError(`The ${secret.toLowerCase()} is required.`);
    setBusy(true);
    try {
      if (editing) {
        const body = updateBody(f);
        if ("bad" in body && typeof body.bad === "string") return setError(body.bad);
        const { data, error: err } = await api.PATCH("/api/v1/channels/{channel_id}", { params: { path: { channel_id: channel.id } }, body: body as never });
        if (data) onClose(data);
        else setError(errorMessage(err, "Saving the channel failed"));
      } else {
        const body = createBody(f);
        if ("bad" in body && typeof body.bad === "string") return setError(body.bad);
        const { data, error: err } = await api.POST("/api/v1/channels", { body: body as never });
        if (data) onClose(data);
        else setError(errorMessage(err, "Creating the channel failed"));
      }
    } catch (err) {
      setError(errorMessage(err, "The server did not answer"));
    } finally {
      setBusy(false);
    }
  };

  const http = f.type === "webhook" || f.type === "splunk_hec";
  return (
    <Dialog title={editing ? `Edit “${channel.name}”` : "New channel"} onClose={() => onClose()} wide>
      <form onSubmit={submit} className="channel-form">
        <div className="form-row">
          <label>
            Kind
            <select value={f.type} onChange={(e) => setF({ ...emptyForm(e.target.value as ChannelForm["type"]), name: f.name })} disabled={editing}>
              {CHANNEL_TYPES.map((t) => (
                <option key={t.type} value={t.type}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Channel name
            <input value={f.name} onChange={(e) => set("name", e.target.value)} required maxLength={128} />
          </label>
          <label className="inline">
            <input type="checkbox" checked={f.enabled} onChange={(e) => set("enabled", e.target.checked)} />
            Enabled
          </label>
        </div>

        {http && (
          <label>
            URL
            <input type="url" value={f.url} onChange={(e) => set("url", e.target.value)} required maxLength={2048} placeholder="https://receiver.example.com/warden" />
            <span className="muted small">https://, or http:// to a loopback address (or with “allow plain http”).</span>
          </label>
        )}
        {f.type === "webhook" && (
          <div className="form-row">
            <label>
              Signature
              <select value={f.signature} onChange={(e) => set("signature", e.target.value as ChannelForm["signature"])}>
                <option value="standard_webhooks">Standard Webhooks</option>
                <option value="github_sha256">GitHub (X-Hub-Signature-256)</option>
                <option value="warden">Warden (X-Warden-Signature)</option>
              </select>
            </label>
            <label>
              Timeout (ms)
              <input type="number" min={100} max={60000} value={f.timeoutMs} onChange={(e) => set("timeoutMs", e.target.value)} placeholder="10000" />
            </label>
          </div>
        )}
        {f.type === "webhook" && (
          <label>
            Extra headers (one “Name: value” a line, up to 5)
            <textarea rows={2} value={f.headers} onChange={(e) => set("headers", e.target.value)} />
          </label>
        )}
        {f.type === "slack" && (
          <div className="form-row">
            <label>
              Slack channel (optional)
              <input value={f.slackChannel} onChange={(e) => set("slackChannel", e.target.value)} placeholder="#security" maxLength={128} />
            </label>
            <label>
              Mention (optional)
              <input value={f.mention} onChange={(e) => set("mention", e.target.value)} placeholder="<!here>" maxLength={128} />
            </label>
          </div>
        )}
        {f.type === "splunk_hec" && (
          <div className="form-row">
            <label>
              Index (optional)
              <input value={f.index} onChange={(e) => set("index", e.target.value)} maxLength={128} />
            </label>
            <label>
              Sourcetype (optional)
              <input value={f.sourcetype} onChange={(e) => set("sourcetype", e.target.value)} maxLength={128} />
            </label>
            <label className="inline">
              <input type="checkbox" checked={f.verifyTls} onChange={(e) => set("verifyTls", e.target.checked)} />
              Verify TLS
            </label>
          </div>
        )}
        {http && (
          <label className="inline">
            <input type="checkbox" checked={f.allowInsecure} onChange={(e) => set("allowInsecure", e.target.checked)} />
            Allow plain http:// to a host other than loopback
          </label>
        )}
        {f.type === "syslog" && (
          <div className="form-row">
            <label>
              Address
              <input value={f.address} onChange={(e) => set("address", e.target.value)} required maxLength={512} placeholder="syslog.example.com:514" />
            </label>
            <label>
              Transport
              <select value={f.transport} onChange={(e) => set("transport", e.target.value as ChannelForm["transport"])}>
                <option value="udp">UDP</option>
                <option value="tcp">TCP</option>
                <option value="unix">unix socket</option>
              </select>
            </label>
            <label>
              Facility
              <select value={f.facility} onChange={(e) => set("facility", e.target.value)}>
                {FACILITIES.map((x) => (
                  <option key={x}>{x}</option>
                ))}
              </select>
            </label>
          </div>
        )}
        {f.type === "file" && (
          <label>
            File path (inside the server's state directory, files/)
            <input value={f.path} onChange={(e) => set("path", e.target.value)} required maxLength={4096} placeholder="problems.jsonl" />
          </label>
        )}
        {secret && (
          <div className="form-row">
            <label className="grow">
              {secret}
              {editing ? " (empty: keep the current one)" : " (required)"}
              <input type="password" value={f.secret} onChange={(e) => set("secret", e.target.value)} autoComplete="off" maxLength={4096} />
              <span className="muted small">Write-only: the server never shows it again.</span>
            </label>
            {f.type === "webhook" && f.signature === "standard_webhooks" && (
              <button type="button" onClick={() => set("secret", newSigningKey())}>
                Generate a key
              </button>
            )}
          </div>
        )}

        <fieldset>
          <legend>Triggers: what is sent</legend>
          <div className="form-row">
            <label className="inline">
              <input type="checkbox" checked={f.kindProblems} onChange={(e) => set("kindProblems", e.target.checked)} />
              Problem events
            </label>
            <label className="inline">
              <input type="checkbox" checked={f.kindAudit} onChange={(e) => set("kindAudit", e.target.checked)} />
              Audit log entries
            </label>
          </div>
          {f.kindProblems && (
            <>
              <div className="form-row">
                <label>
                  Lowest risk
                  <select value={f.minRisk} onChange={(e) => set("minRisk", e.target.value as ChannelForm["minRisk"])}>
                    <option value="">any</option>
                    {RISKS.map((r) => (
                      <option key={r} value={r}>
                        {r.replace("_", " ")}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Rules (ids; empty: all)
                  <input value={f.ruleIds} onChange={(e) => set("ruleIds", e.target.value)} placeholder="HOST-VULN, HOST-OPEN-PORTS" />
                </label>
                <label>
                  Host labels (any of; empty: all)
                  <input value={f.labels} onChange={(e) => set("labels", e.target.value)} placeholder="env=prod" />
                </label>
              </div>
              <fieldset className="checks">
                <legend>Events (none ticked: all)</legend>
                {ACTIONS.map((a) => (
                  <label key={a} className="inline">
                    <input
                      type="checkbox"
                      checked={f.actions.includes(a)}
                      onChange={(e) => set("actions", e.target.checked ? [...f.actions, a] : f.actions.filter((x) => x !== a))}
                    />
                    {a.replace("_", " ")}
                  </label>
                ))}
              </fieldset>
            </>
          )}
        </fieldset>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={() => onClose()}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {editing ? "Save channel" : "Create channel"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
