// Vulnerability data for the browser suite, without a feed: the XSS host
// (enrolled by fixture.ts through the agent channel, Debian 12) reports a
// package inventory the feed tests/fixtures/vuln/feeds/tracker-bookworm.json
// speaks about (openssl's libraries fixed in a newer version, zlib with an
// open CVE, tiff with one Debian will not fix). The feed itself is imported
// by vulnerabilities.spec.ts through POST /api/v1/feeds, after it has checked
// the page's "no feed imported" state. Nothing here starts a process.
import { request as httpsRequest } from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FEED_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../tests/fixtures/vuln/feeds/tracker-bookworm.json");

export const PACKAGES = [
  { name: "libssl3", version: "3.0.11-1~deb12u1", arch: "amd64", source: "openssl", source_version: "3.0.11-1~deb12u1", manager: "deb" },
  { name: "openssl", version: "3.0.11-1~deb12u1", arch: "amd64", source: "openssl", source_version: "3.0.11-1~deb12u1", manager: "deb" },
  { name: "zlib1g", version: "1:1.2.13.dfsg-1", arch: "amd64", source: "zlib", source_version: "1:1.2.13.dfsg-1", manager: "deb" },
  { name: "libtiff6", version: "4.5.0-6+deb12u1", arch: "amd64", source: "tiff", source_version: "4.5.0-6+deb12u1", manager: "deb" },
  { name: "bash", version: "5.2.15-2+b2", arch: "amd64", source: "bash", source_version: "5.2.15-2", manager: "deb" },
];

export function sendXssHostPackages(base: string, ca: string, nodeKey: string): Promise<void> {
  const body = JSON.stringify({
    batch_id: "xss-packages-1",
    records: [{ id: "xss-packages-1", kind: "inventory", time_ms: Date.now(), body: { type: "packages", items: PACKAGES } }],
  });
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${base}/api/v1/agent/records`,
      { method: "POST", ca, headers: { "Content-Type": "application/json", Authorization: `Bearer ${nodeKey}` } },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`packages: ${res.statusCode} ${text}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
