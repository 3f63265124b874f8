// The editor's SQL reading: tables and aliases in FROM/JOIN, what to complete
// where, and the docs shown on hover.
import { describe, expect, it } from "vitest";
import { completionPlace, docAt, suggestions, tablesInSql, type TableInfo } from "./sqlSchema";

const col = (name: string, type = "TEXT", description = "", hidden = false) => ({ name, type, description, hidden });
const TABLES: TableInfo[] = [
  { name: "processes", description: "All running processes.", aliases: [], columns: [col("pid", "BIGINT", "Process id"), col("name"), col("path"), col("upid", "BIGINT", "", true)] },
  { name: "listening_ports", description: "Open sockets.", aliases: [], columns: [col("pid", "INTEGER"), col("port", "INTEGER", "Port number"), col("address")] },
  { name: "users", description: "Local users.", aliases: [], columns: [col("uid", "BIGINT"), col("username")] },
];

describe("tablesInSql", () => {
  it("reads FROM, JOIN, comma lists and aliases", () => {
    expect(tablesInSql("SELECT pid FROM processes")).toEqual([{ table: "processes", alias: null }]);
    expect(tablesInSql("select * from processes p join listening_ports AS lp on p.pid = lp.pid where 1")).toEqual([
      { table: "processes", alias: "p" },
      { table: "listening_ports", alias: "lp" },
    ]);
    expect(tablesInSql("SELECT * FROM users u, processes WHERE u.uid = 0")).toEqual([
      { table: "users", alias: "u" },
      { table: "processes", alias: null },
    ]);
  });
  it("ignores names in strings and comments", () => {
    expect(tablesInSql("SELECT 'from users' AS x -- from processes\nFROM listening_ports")).toEqual([{ table: "listening_ports", alias: null }]);
  });
});

describe("completion", () => {
  it("offers tables after FROM and JOIN", () => {
    const sql = "SELECT * FROM pro";
    expect(completionPlace(sql, sql.length)).toEqual({ kind: "table", word: "pro", from: 14 });
    expect(suggestions(TABLES, sql, sql.length).options.map((o) => o.label)).toEqual(["processes"]);
    const join = "SELECT * FROM processes JOIN ";
    expect(suggestions(TABLES, join, join.length).options.map((o) => o.label)).toEqual(["processes", "listening_ports", "users"]);
  });
  it("offers the columns of the tables in FROM, visible ones first", () => {
    const sql = "SELECT  FROM processes";
    const s = suggestions(TABLES, sql, 7);
    expect(s.options.map((o) => o.label)).toEqual(["pid", "name", "path", "upid"]);
    expect(s.options[0].detail).toBe("BIGINT · processes");
    const typed = "SELECT pa FROM processes";
    expect(suggestions(TABLES, typed, 9).options.map((o) => o.label)).toEqual(["path"]);
  });
  it("offers a qualified table's columns after alias.", () => {
    const sql = "SELECT lp.po FROM processes p JOIN listening_ports lp USING (pid)";
    expect(suggestions(TABLES, sql, 12).options.map((o) => o.label)).toEqual(["port"]);
  });
});

describe("docAt", () => {
  it("documents tables and columns", () => {
    const sql = "SELECT port FROM listening_ports";
    expect(docAt(TABLES, sql, 9)).toMatchObject({ title: "listening_ports.port", detail: "INTEGER — Port number" });
    expect(docAt(TABLES, sql, 20)).toMatchObject({ title: "listening_ports", detail: "Open sockets." });
    expect(docAt(TABLES, sql, 3)).toBeNull();
  });
});
