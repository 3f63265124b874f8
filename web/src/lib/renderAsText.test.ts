// The console's XSS rule, checked on its sources: values from hosts and logs
// reach the page only as React text, never as HTML.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith(".test.ts") && !name.endsWith(".d.ts") ? [p] : [];
  });
}

describe("rendering", () => {
  it("no source sets HTML from a string", () => {
    const files = sources(srcDir);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) => /dangerouslySetInnerHTML|\.innerHTML\s*=|outerHTML|insertAdjacentHTML|document\.write/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
