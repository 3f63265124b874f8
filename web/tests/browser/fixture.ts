// Global setup of the browser suite: a real `warden server` (console_dir =
// this web/dist) on a free 127.0.0.1 port in a temporary state directory, a
// user made with `warden server user add --password-stdin`, a real `warden
// agent` enrolled with an enrol secret and the CA fingerprint (its open-ports
// detector sees a listener this setup opens), and a second host enrolled
// through the agent channel whose name and problems hold HTML, for the XSS
// checks. Everything stops (and the directory goes) at teardown.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const XSS = "<img src=x onerror=alert(1)>";
export const PASSWORD = "browser-suite password";

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const warden = path.resolve(process.env.WARDEN_BIN ?? path.join(webDir, "../build/warden"));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function run(args: string[], input?: string): string {
  const r = spawnSync(warden, args, { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`warden ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

// A POST to the server, verified against its private CA.
function postJson(url: string, ca: string, body: unknown, bearer?: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    const req = httpsRequest(url, { method: "POST", ca, headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`POST ${url}: ${res.statusCode} ${text}`));
        else resolve(text ? JSON.parse(text) : null);
      });
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

export default async function globalSetup() {
  const dir = mkdtempSync(path.join(tmpdir(), "warden-console-"));
  const children: ChildProcess[] = [];
  // Should the runner end without teardown, no server or agent is left behind.
  process.on("exit", () => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")));
  const port = await freePort();
  const base = `https://127.0.0.1:${port}`;
  const serverConfig = path.join(dir, "server.yaml");
  writeFileSync(
    serverConfig,
    `listen: 127.0.0.1:${port}\nstate_dir: ${dir}/server\nconsole_dir: ${path.join(webDir, "dist")}\n` +
      `housekeeping: {interval: 1s}\n`,
  );
  const serverLog = path.join(dir, "server.out");
  const server = spawn(warden, ["server", "--config", serverConfig], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(server);
  let banner = "";
  server.stdout!.on("data", (d) => (banner += d.toString()));
  server.stderr!.on("data", (d) => writeFileSync(serverLog, d, { flag: "a" }));
  await waitFor("the server's banner", () => banner.includes("\n  data ") || server.exitCode !== null);
  if (!banner.includes("\n  console   " + base)) throw new Error(`the server serves no console:\n${banner}`);
  const fingerprint = /sha256:[0-9a-f]{64}/.exec(banner)?.[0];
  const adminPassword = /one-time password (\S+)/.exec(banner)?.[1];
  if (!adminPassword) throw new Error(`no one-time admin password in:\n${banner}`);
  if (!fingerprint) throw new Error(`no CA fingerprint in:\n${banner}`);

  run(["server", "user", "add", "e2e", "--role", "admin", "--password-stdin", "--config", serverConfig], PASSWORD + "\n");
  const secret = run(["server", "enroll-secret", "create", "browser", "--label", "browser", "--secret-only", "--config", serverConfig]).trim();

  const ca = readFileSync(`${dir}/server/tls/ca.pem`, "utf8");

  // The XSS host: enrolled through the agent channel like any agent.
  const enrolled = await postJson(`${base}/api/v1/agent/enroll`, ca, {
    secret,
    identity: { machine_id: "xss-machine", hostname: XSS, os: { name: "Debian GNU/Linux", version: "12", id: "debian" }, agent_version: "0.9.0" },
  });
  const now = new Date();
  const iso = now.toISOString().replace(/\.\d+Z$/, "Z");
  const records = [0, 1, 2].map((i) => ({
    id: `xss-problem-${i}`,
    kind: "problems",
    time_ms: now.getTime(),
    body: {
      event: "opened",
      event_time: iso,
      id: `xss-${i}`,
      rule_id: "HOST-OPEN-PORTS",
      title: i === 0 ? XSS : `tcp port ${4000 + i} is open <script>alert(${i})</script>`,
      risk_level: i === 0 ? "high" : "medium",
      status: "open",
      host: XSS,
      resource: `tcp/0.0.0.0:${4000 + i}`,
      first_detected: iso,
      last_detected: iso,
      status_changed: iso,
      revision: 1,
      finding: { id: `xss-${i}`, process: XSS, cmdline: "<script>alert(document.cookie)</script>" },
    },
  }));
  await postJson(`${base}/api/v1/agent/records`, ca, { batch_id: "xss-1", records }, enrolled.node_key);
  await (await import("./fixture-vulnerabilities")).sendXssHostPackages(base, ca, enrolled.node_key);

  // The real agent, and a listener its open-ports detector reports.
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, "0.0.0.0", resolve));
  const listenerPort = (listener.address() as AddressInfo).port;
  const agentConfig = path.join(dir, "agent.yaml");
  writeFileSync(
    agentConfig,
    `state_dir: ${dir}/agent\nrecipe:\n  rules:\n    HOST-VULN: {enabled: false}\n    HOST-OPEN-PORTS:\n      schedule: {interval: 2s, splay_percent: 0}\nstatus_interval: 0\n`,
  );
  run(["agent", "enroll", "--server", base, "--secret", secret, "--ca-fingerprint", fingerprint, "--config", agentConfig]);
  const agentLog = path.join(dir, "agent.err");
  const agent = spawn(warden, ["agent", "--config", agentConfig], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(agent);
  agent.stderr!.on("data", (d) => writeFileSync(agentLog, d, { flag: "a" }));

  process.env.WARDEN_CONSOLE_URL = base;
  process.env.WARDEN_ADMIN_OTP = adminPassword;
  process.env.WARDEN_LISTENER_PORT = String(listenerPort);
  process.env.WARDEN_TEST_DIR = dir;

  return async () => {
    for (const c of children.reverse()) {
      if (c.exitCode === null) {
        c.kill("SIGTERM");
        await new Promise((r) => c.once("exit", r));
      }
    }
    listener.close();
    if (process.env.WARDEN_KEEP_TEST_DIR) {
      console.log(`kept ${dir}; server log:\n${readFileSync(serverLog, "utf8").slice(-2000)}`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
