// Channels: where the server sends problem events and the audit log (Slack,
// signed webhooks, syslog, Splunk HEC, files). The list (search, type,
// delivery state and enabled filters in the URL; export) shows each channel's
// destination, triggers and delivery state; a channel opens in a drawer
// (?channel=ID) with its settings, live delivery status and Send test.
// Admins create, edit and delete; admins and analysts send tests. Secrets are
// write-only (the API never returns them) and webhook header values are not
// shown outside the admins' edit form.
import { useCallback, useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { useSession } from "../session";
import { useCursorList } from "../lib/useCursorList";
import { CHANNEL_TYPES, destination, triggerSummary, typeLabel, type Channel } from "../lib/channels";
import { Pager } from "../components/Pager";
import { Time } from "../components/Time";
import { Confirm } from "../components/SecretOnce";
import { ExportLinks, exportHref } from "../components/ExportLinks";
import { ChannelFormDialog } from "./ChannelFormDialog";

type DeliveryState = Schemas["DeliveryState"];
const STATES: DeliveryState[] = ["ok", "failing", "idle", "disabled"];
const PAGE = 50;

export function DeliveryBadge({ state }: { state: DeliveryState }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}

export function ChannelsPage() {
  const { session } = useSession();
  const admin = session?.user.role === "admin";
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const type = CHANNEL_TYPES.find((t) => t.type === params.get("type"))?.type;
  const state = STATES.find((s) => s === params.get("delivery_state"));
  const enabledParam = params.get("enabled");
  const enabled = enabledParam === "true" ? true : enabledParam === "false" ? false : undefined;
  const open = params.get("channel");
  const [text, setText] = useState(q);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const query = {
    sort: "name" as const,
    ...(q ? { q } : {}),
    ...(type ? { type: [type] } : {}),
    ...(state ? { delivery_state: [state] } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
  };
  const filterKey = JSON.stringify(query);
  const list = useCursorList<Channel>(
    (cursor) => api.GET("/api/v1/channels", { params: { query: { ...query, limit: PAGE, ...(cursor ? { cursor } : {}) } } }),
    filterKey,
    "channels",
  );
  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };
  const filtered = !!(q || type || state || enabled !== undefined);
  const items = list.result?.items ?? [];

  return (
    <section className="page">
      <h1>Channels</h1>
      <form
        className="filters"
        role="search"
        aria-label="Channels"
        onSubmit={(e) => {
          e.preventDefault();
          setParam("q", text.trim());
        }}
      >
        <label>
          Search channels
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name" />
        </label>
        <label>
          Type
          <select value={type ?? ""} onChange={(e) => setParam("type", e.target.value)}>
            <option value="">any</option>
            {CHANNEL_TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Delivery
          <select value={state ?? ""} onChange={(e) => setParam("delivery_state", e.target.value)}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Enabled
          <select value={enabledParam ?? ""} onChange={(e) => setParam("enabled", e.target.value)}>
            <option value="">any</option>
            <option value="true">enabled</option>
            <option value="false">disabled</option>
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <div className="toolbar">
        <span className="muted">{list.result ? `${list.result.total.toLocaleString()} channel${list.result.total === 1 ? "" : "s"}` : "Loading…"}</span>
        <ExportLinks name="channels" csv={exportHref("/api/v1/channels/export", "csv", query)} jsonl={exportHref("/api/v1/channels/export", "jsonl", query)} />
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
        {admin && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New channel
          </button>
        )}
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {list.error && (
        <p className="error" role="alert">
          {list.error}
        </p>
      )}
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">Notification channels by name</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Destination</th>
              <th scope="col">Triggers</th>
              <th scope="col">Delivery</th>
              <th scope="col">Last success</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>
                  <button type="button" className="link" onClick={() => setParam("channel", c.id)}>
                    {c.name}
                  </button>
                </td>
                <td>{typeLabel(c.type)}</td>
                <td className="break">{destination(c)}</td>
                <td>{triggerSummary(c.triggers)}</td>
                <td>
                  <DeliveryBadge state={c.delivery.state} />
                  {c.delivery.queue_depth > 0 && <div className="muted small">{c.delivery.queue_depth} queued</div>}
                </td>
                <td>
                  <Time value={c.delivery.last_success_at} empty="never" />
                </td>
                <td>
                  {c.delivery.last_error_at ? (
                    <>
                      <Time value={c.delivery.last_error_at} />
                      <div className="small break">{c.delivery.last_error}</div>
                    </>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.result && items.length === 0 && (
          <div className="empty" role="status">
            {filtered ? (
              <p>No channel matches these filters. Clear them to see every channel.</p>
            ) : (
              <p>
                No channels yet: problems are only seen here in the console.{" "}
                {admin ? "“New channel” sends them to Slack, a webhook, syslog, Splunk or a file." : "An admin can add Slack, webhook, syslog, Splunk or file channels."}
              </p>
            )}
          </div>
        )}
      </div>
      {list.result && (
        <Pager page={list.page} pageSize={PAGE} shown={items.length} total={list.result.total} hasNext={!!list.result.next_cursor} onPrevious={list.previous} onNext={list.next} />
      )}
      {creating && (
        <ChannelFormDialog
          onClose={(saved) => {
            setCreating(false);
            if (saved) {
              setNotice(`Created ${saved.name}.`);
              list.reload();
              setParam("channel", saved.id);
            }
          }}
        />
      )}
      {open && (
        <ChannelDrawer
          id={open}
          onClose={() => setParam("channel", null)}
          onChanged={(message) => {
            setNotice(message);
            list.reload();
          }}
        />
      )}
    </section>
  );
}

function ChannelDrawer({ id, onClose, onChanged }: { id: string; onClose(): void; onChanged(message: string): void }) {
  const { session } = useSession();
  const role = session?.user.role;
  const [channel, setChannel] = useState<Channel | null>(null);
  const [status, setStatus] = useState<Schemas["DeliveryStatus"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [test, setTest] = useState<{ result?: Schemas["ChannelTestResult"]; error?: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api.GET("/api/v1/channels/{channel_id}", { params: { path: { channel_id: id } } }).then(({ data, error: e }) => {
      if (cancelled) return;
      if (data) {
        setChannel(data);
        setStatus(data.delivery);
      } else setError(errorMessage(e, "Loading the channel failed"));
    });
    return () => {
      cancelled = true;
    };
  }, [id, reloads]);

  const refreshStatus = useCallback(async () => {
    const { data, error: e } = await api.GET("/api/v1/channels/{channel_id}/status", { params: { path: { channel_id: id } } });
    if (data) setStatus(data);
    else setError(errorMessage(e, "Loading the delivery status failed"));
  }, [id]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && !editing && !deleting && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose, editing, deleting]);

  const sendTest = async () => {
    setTesting(true);
    setTest(null);
    try {
      const { data, error: e, response } = await api.POST("/api/v1/channels/{channel_id}/test", { params: { path: { channel_id: id } } });
      if (data) setTest({ result: data });
      else if (response.status === 429) setTest({ error: `Ten tests a minute at most: try again in ${response.headers.get("Retry-After") ?? "a few"} seconds.` });
      else setTest({ error: errorMessage(e, "The test could not be sent") });
    } catch (e) {
      setTest({ error: errorMessage(e, "The server did not answer") });
    }
    setTesting(false);
    refreshStatus();
  };

  const remove = async () => {
    const { error: e, response } = await api.DELETE("/api/v1/channels/{channel_id}", { params: { path: { channel_id: id } } });
    if (response.ok) {
      setDeleting(false);
      onChanged(`Deleted ${channel?.name ?? "the channel"}.`);
      onClose();
    } else setDeleteError(errorMessage(e, "Deleting failed"));
  };

  const cfg = (channel?.config ?? {}) as Record<string, unknown>;
  const headerNames = cfg.headers && typeof cfg.headers === "object" ? Object.keys(cfg.headers as object) : [];
  return (
    <div className="backdrop drawer-backdrop">
      <aside className="drawer" role="dialog" aria-modal="true" aria-labelledby="channel-title">
        <div className="drawer-head">
          <h2 id="channel-title" tabIndex={-1}>
            {channel ? channel.name : "Channel"}
          </h2>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {channel && (
          <>
            <div className="toolbar">
              {(role === "admin" || role === "analyst") && (
                <button type="button" className="primary" onClick={sendTest} disabled={testing}>
                  {testing ? "Sending…" : "Send test"}
                </button>
              )}
              {role === "admin" && (
                <>
                  <button type="button" onClick={() => setEditing(true)}>
                    Edit
                  </button>
                  <button type="button" onClick={() => setDeleting(true)}>
                    Delete
                  </button>
                </>
              )}
            </div>
            {test && <TestResult test={test} />}
            <h3>Settings</h3>
            <dl className="facts">
              <dt>Kind</dt>
              <dd>{typeLabel(channel.type)}</dd>
              <dt>Enabled</dt>
              <dd>{channel.enabled ? "yes" : "no (records are kept queued)"}</dd>
              <dt>Destination</dt>
              <dd>{destination(channel)}</dd>
              {channel.type === "webhook" && (
                <>
                  <dt>Signature</dt>
                  <dd>{String(cfg.signature ?? "standard_webhooks")}</dd>
                  <dt>Extra headers</dt>
                  <dd>{headerNames.length ? `${headerNames.join(", ")} (values not shown)` : "none"}</dd>
                </>
              )}
              {channel.type === "slack" && cfg.mention ? (
                <>
                  <dt>Mention</dt>
                  <dd>{String(cfg.mention)}</dd>
                </>
              ) : null}
              {channel.type === "splunk_hec" && (
                <>
                  <dt>Index / sourcetype</dt>
                  <dd>
                    {String(cfg.index ?? "default")} / {String(cfg.sourcetype ?? "default")}
                  </dd>
                  <dt>Verify TLS</dt>
                  <dd>{cfg.verify_tls === false ? "no" : "yes"}</dd>
                </>
              )}
              {channel.type === "syslog" && (
                <>
                  <dt>Facility</dt>
                  <dd>{String(cfg.facility ?? "local0")}</dd>
                </>
              )}
              <dt>Secret</dt>
              <dd>{channel.has_secret ? "set (write-only: never shown)" : "none"}</dd>
              <dt>Triggers</dt>
              <dd>{triggerSummary(channel.triggers)}</dd>
              <dt>Created / changed</dt>
              <dd>
                <Time value={channel.created_at} /> / <Time value={channel.updated_at} />
              </dd>
            </dl>
            <h3>Delivery status</h3>
            {status && (
              <dl className="facts">
                <dt>State</dt>
                <dd>
                  <DeliveryBadge state={status.state} />
                </dd>
                <dt>Queue depth</dt>
                <dd>{status.queue_depth} record(s) waiting</dd>
                <dt>Delivered</dt>
                <dd>{status.delivered}</dd>
                <dt>Failed attempts</dt>
                <dd>{status.failed}</dd>
                <dt>Dropped (queue full)</dt>
                <dd>{status.dropped}</dd>
                <dt>Last success</dt>
                <dd>
                  <Time value={status.last_success_at} empty="never" />
                </dd>
                <dt>Last error</dt>
                <dd>
                  {status.last_error_at ? (
                    <>
                      <Time value={status.last_error_at} />: <span className="break">{status.last_error}</span>
                    </>
                  ) : (
                    "none"
                  )}
                </dd>
              </dl>
            )}
            <button type="button" onClick={refreshStatus}>
              Refresh status
            </button>
          </>
        )}
      </aside>
      {editing && channel && (
        <ChannelFormDialog
          channel={channel}
          onClose={(saved) => {
            setEditing(false);
            if (saved) {
              setReloads((n) => n + 1);
              onChanged(`Saved ${saved.name}.`);
            }
          }}
        />
      )}
      {deleting && channel && (
        <Confirm
          title={`Delete the channel “${channel.name}”?`}
          confirm="Delete channel"
          error={deleteError}
          onConfirm={remove}
          onClose={() => {
            setDeleting(false);
            setDeleteError(null);
          }}
        >
          <p>Records still queued for it ({status?.queue_depth ?? 0}) are dropped. This cannot be undone.</p>
        </Confirm>
      )}
    </div>
  );
}

function TestResult({ test }: { test: { result?: Schemas["ChannelTestResult"]; error?: string } }) {
  if (test.error)
    return (
      <div className="test-result failed" role="status">
        <p className="error">{test.error}</p>
      </div>
    );
  const r = test.result!;
  return (
    <div className={`test-result ${r.ok ? "ok" : "failed"}`} role="status" aria-label="Test result">
      <p>
        <strong>{r.ok ? "Delivered" : "Not delivered"}</strong>
        {r.status !== null ? ` — the receiver answered HTTP ${r.status}` : ""} in {r.elapsed_ms} ms.
      </p>
      {r.error && <p className="error">{r.error}</p>}
      {r.body_excerpt !== null && r.body_excerpt !== "" && (
        <>
          <p className="muted small">The receiver's answer:</p>
          <pre className="evidence">{r.body_excerpt}</pre>
        </>
      )}
    </div>
  );
}

