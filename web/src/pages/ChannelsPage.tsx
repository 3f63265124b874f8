// Channels: where the server sends problem events and the audit log (Slack,
// signed webhooks, syslog, Splunk HEC, files). The list (the shared DataList;
// search, type,
// delivery state and enabled filters in the URL; export) shows each channel's
// destination, triggers and delivery state; a channel opens in a drawer
// (?channel=ID) with its settings, live delivery status and Send test.
// Admins create, edit and delete; admins and analysts send tests. Secrets are
// write-only (the API never returns them) and webhook header values are not
// shown outside the admins' edit form.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { api, errorMessage, type Schemas } from "../api/client";
import { useSession } from "../session";
import { CHANNEL_LIST } from "../lib/adminLists";
import { CHANNEL_TYPES, destination, triggerSummary, typeLabel, type Channel } from "../lib/channels";
import { DataList, ListFilters, useListState, type Column, type ListQuery, type QueryOf } from "../components/DataList";
import { Time } from "../components/Time";
import { Confirm } from "../components/SecretOnce";
import { ChannelFormDialog } from "./ChannelFormDialog";

type DeliveryState = Schemas["DeliveryState"];
const STATES: DeliveryState[] = ["ok", "failing", "idle", "disabled"];

export function DeliveryBadge({ state }: { state: DeliveryState }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}

export function ChannelsPage() {
  const { session } = useSession();
  const admin = session?.user.role === "admin";
  const list = useListState(CHANNEL_LIST);
  const [params, setParams] = useSearchParams();
  const open = params.get("channel");
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const load = useCallback((query: ListQuery) => api.GET("/api/v1/channels", { params: { query: query as QueryOf<"/api/v1/channels"> } }), []);
  const setOpen = useCallback(
    (id: string | null) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (id) next.set("channel", id);
        else next.delete("channel");
        return next;
      }),
    [setParams],
  );

  const columns = useMemo<Column<Channel>[]>(
    () => [
      {
        id: "name",
        label: "Name",
        sort: "name",
        required: true,
        cell: (c) => (
          <button type="button" className="link" onClick={() => setOpen(c.id)}>
            {c.name}
          </button>
        ),
      },
      { id: "kind", label: "Kind", sort: "type", cell: (c) => typeLabel(c.type) },
      { id: "destination", label: "Destination", className: "break", cell: (c) => destination(c) },
      { id: "triggers", label: "Triggers", cell: (c) => triggerSummary(c.triggers) },
      {
        id: "delivery",
        label: "Delivery",
        className: "nowrap",
        cell: (c) => (
          <>
            <DeliveryBadge state={c.delivery.state} />
            {c.delivery.queue_depth > 0 && <div className="muted small">{c.delivery.queue_depth} queued</div>}
          </>
        ),
      },
      { id: "success", label: "Last success", cell: (c) => <Time value={c.delivery.last_success_at} empty="never" /> },
      {
        id: "error",
        label: "Last error",
        cell: (c) =>
          c.delivery.last_error_at ? (
            <>
              <Time value={c.delivery.last_error_at} />
              <div className="small break">{c.delivery.last_error}</div>
            </>
          ) : (
            <span className="muted">none</span>
          ),
      },
      { id: "created", label: "Created", sort: "created_at", shown: false, cell: (c) => <Time value={c.created_at} /> },
    ],
    [setOpen],
  );

  return (
    <section className="page">
      <h1>Channels</h1>
      <ListFilters
        list={list}
        label="Channel filters"
        search
        submitLabel="Search"
        fields={[
          { key: "type", label: "Kind", control: "select", any: "any", options: CHANNEL_TYPES.map((t) => ({ value: t.type, label: t.label })) },
          { key: "delivery", label: "Delivery", control: "select", any: "any", options: STATES.map((s) => ({ value: s, label: s })) },
          { key: "enabled", label: "Enabled", control: "bool", any: "any" },
          { key: "q", label: "Search channels", control: "text", placeholder: "name" },
        ]}
      />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <DataList
        name="Channels"
        prefsKey="channels"
        list={list}
        load={load}
        exportPath="/api/v1/channels/export"
        columns={columns}
        rowKey={(c) => c.id}
        reload={reload}
        actions={() => (
          <>
            <button type="button" onClick={() => setReload((n) => n + 1)}>
              Refresh
            </button>
            {admin && (
              <button type="button" className="primary" onClick={() => setCreating(true)}>
                New channel
              </button>
            )}
          </>
        )}
        empty={(filtered, clear) =>
          filtered ? (
            <p>
              No channel matches these filters.{" "}
              <button type="button" className="link" onClick={clear}>
                Clear the filters
              </button>
            </p>
          ) : (
            <p>
              No channels yet: problems are only seen here in the console.{" "}
              {admin ? "“New channel” sends them to Slack, a webhook, syslog, Splunk or a file." : "An admin can add Slack, webhook, syslog, Splunk or file channels."}
            </p>
          )
        }
      />
      {creating && (
        <ChannelFormDialog
          onClose={(saved) => {
            setCreating(false);
            if (saved) {
              setNotice(`Created ${saved.name}.`);
              setReload((n) => n + 1);
              setOpen(saved.id);
            }
          }}
        />
      )}
      {open && (
        <ChannelDrawer
          id={open}
          onClose={() => {
            // A test or an edit may have changed the delivery state shown in the list.
            setOpen(null);
            setReload((n) => n + 1);
          }}
          onChanged={(message) => {
            setNotice(message);
            setReload((n) => n + 1);
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
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

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
          <h2 id="channel-title" ref={heading} tabIndex={-1}>
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

