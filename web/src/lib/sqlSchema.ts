// What the query editor knows about SQL text, without an editor: which tables
// a statement reads (FROM / JOIN, with aliases), what the word before the
// cursor is, and which table and column names to suggest there. Pure
// functions over the generated table list, so they are unit tested in Node.
// It is not a SQL parser: it reads names from a flat token scan and never
// decides whether a statement is valid (the agent does that).

export interface ColumnInfo {
  name: string;
  type: string;
  description: string;
  hidden: boolean;
}
export interface TableInfo {
  name: string;
  description: string;
  aliases: string[];
  columns: ColumnInfo[];
}

export interface Suggestion {
  label: string;
  kind: "table" | "column";
  detail: string;
  info: string;
}

interface Token {
  text: string;
  kind: "word" | "punct" | "string";
}

function tokens(sql: string): Token[] {
  const out: Token[] = [];
  const re = /\s+|--[^\n]*|\/\*[\s\S]*?(\*\/|$)|'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`[^`]*`?|[A-Za-z_][A-Za-z0-9_$]*|[0-9.]+|./g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sql))) {
    const t = m[0];
    if (/^\s/.test(t) || t.startsWith("--") || t.startsWith("/*")) continue;
    if (/^[A-Za-z_]/.test(t)) out.push({ text: t, kind: "word" });
    else if (t[0] === '"' || t[0] === "`") out.push({ text: t.slice(1, t.endsWith(t[0]) && t.length > 1 ? -1 : undefined), kind: "word" });
    else if (t[0] === "'") out.push({ text: t, kind: "string" });
    else out.push({ text: t, kind: "punct" });
  }
  return out;
}

// Words that end a FROM list or cannot be an alias.
const CLAUSE = new Set(
  "where group order limit having union except intersect on using join inner left right full outer cross natural as select from window offset".split(" "),
);

export interface TableRef {
  table: string;
  alias: string | null;
}

// The tables named after FROM and JOIN (and after commas in a FROM list),
// each with its alias when it has one. Subqueries are skipped.
export function tablesInSql(sql: string): TableRef[] {
  const t = tokens(sql);
  const refs: TableRef[] = [];
  let inFrom = false;
  for (let i = 0; i < t.length; i++) {
    const w = t[i].text.toLowerCase();
    if (t[i].kind === "word" && (w === "from" || w === "join")) {
      inFrom = true;
      const next = t[i + 1];
      if (next && next.kind === "word" && !CLAUSE.has(next.text.toLowerCase())) {
        i = readRef(t, i + 1, refs);
      }
      continue;
    }
    if (inFrom && t[i].kind === "punct" && t[i].text === ",") {
      const next = t[i + 1];
      if (next && next.kind === "word" && !CLAUSE.has(next.text.toLowerCase())) i = readRef(t, i + 1, refs);
      continue;
    }
    if (t[i].kind === "word" && CLAUSE.has(w) && w !== "as") inFrom = w === "on" || w === "using" ? inFrom : false;
    if (t[i].kind === "punct" && (t[i].text === "(" || t[i].text === ")" || t[i].text === ";")) inFrom = false;
  }
  return refs;
}

function readRef(t: Token[], at: number, refs: TableRef[]): number {
  const table = t[at].text;
  let i = at;
  let alias: string | null = null;
  if (t[i + 1]?.kind === "word" && t[i + 1].text.toLowerCase() === "as" && t[i + 2]?.kind === "word") {
    alias = t[i + 2].text;
    i += 2;
  } else if (t[i + 1]?.kind === "word" && !CLAUSE.has(t[i + 1].text.toLowerCase())) {
    alias = t[i + 1].text;
    i += 1;
  }
  refs.push({ table, alias });
  return i;
}

export function findTable(tables: TableInfo[], name: string): TableInfo | undefined {
  const n = name.toLowerCase();
  return tables.find((t) => t.name === n || t.aliases.includes(n));
}

export type CompletionPlace =
  | { kind: "table"; word: string; from: number }
  | { kind: "qualified"; qualifier: string; word: string; from: number }
  | { kind: "column"; word: string; from: number };

// What to complete at `pos`: a table name right after FROM/JOIN (or a comma
// in a FROM list), a column after `alias.`, else a column (or table) name.
export function completionPlace(sql: string, pos: number): CompletionPlace {
  const before = sql.slice(0, pos);
  const wordMatch = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before);
  const word = wordMatch ? wordMatch[0] : "";
  const from = pos - word.length;
  const rest = before.slice(0, from);
  const qual = /([A-Za-z_][A-Za-z0-9_]*)\.$/.exec(rest);
  if (qual) return { kind: "qualified", qualifier: qual[1], word, from };
  const t = tokens(rest);
  const last = t[t.length - 1];
  if (last?.kind === "word" && /^(from|join)$/i.test(last.text)) return { kind: "table", word, from };
  if (last?.kind === "punct" && last.text === ",") {
    // A comma inside a FROM list: the nearest clause word decides.
    for (let i = t.length - 2; i >= 0; i--) {
      const w = t[i].kind === "word" ? t[i].text.toLowerCase() : "";
      if (w === "from") return { kind: "table", word, from };
      if (w === "select" || w === "where" || w === "by" || w === "on" || t[i].text === "(") break;
    }
  }
  return { kind: "column", word, from };
}

const tableSuggestion = (t: TableInfo): Suggestion => ({ label: t.name, kind: "table", detail: "table", info: t.description });
const columnSuggestion = (c: ColumnInfo, table: string): Suggestion => ({
  label: c.name,
  kind: "column",
  detail: `${c.type} · ${table}`,
  info: c.description,
});

// The names to offer at `pos`, best first, filtered by the word typed so far.
export function suggestions(tables: TableInfo[], sql: string, pos: number): { from: number; options: Suggestion[] } {
  const place = completionPlace(sql, pos);
  const prefix = place.word.toLowerCase();
  const match = (name: string) => name.toLowerCase().startsWith(prefix);
  if (place.kind === "table") {
    return { from: place.from, options: tables.filter((t) => match(t.name)).map(tableSuggestion) };
  }
  const refs = tablesInSql(sql);
  if (place.kind === "qualified") {
    const q = place.qualifier.toLowerCase();
    const ref = refs.find((r) => (r.alias ?? r.table).toLowerCase() === q) ?? refs.find((r) => r.table.toLowerCase() === q);
    const table = findTable(tables, ref ? ref.table : place.qualifier);
    if (!table) return { from: place.from, options: [] };
    return { from: place.from, options: table.columns.filter((c) => match(c.name)).map((c) => columnSuggestion(c, table.name)) };
  }
  // Columns of the tables in FROM first (visible before hidden), then tables.
  const seen = new Set<string>();
  const columns: Suggestion[] = [];
  const hidden: Suggestion[] = [];
  for (const ref of refs) {
    const table = findTable(tables, ref.table);
    if (!table) continue;
    for (const c of table.columns) {
      if (!match(c.name) || seen.has(c.name)) continue;
      seen.add(c.name);
      (c.hidden ? hidden : columns).push(columnSuggestion(c, table.name));
    }
  }
  const tableOptions = prefix ? tables.filter((t) => match(t.name)).map(tableSuggestion) : [];
  return { from: place.from, options: [...columns, ...hidden, ...tableOptions] };
}

// The documentation of the word at `pos`: a table, or a column of a table in
// the statement (or of the table its qualifier names). Null when unknown.
export function docAt(
  tables: TableInfo[],
  sql: string,
  pos: number,
): { from: number; to: number; title: string; detail: string; columns?: ColumnInfo[] } | null {
  let from = pos;
  let to = pos;
  while (from > 0 && /[A-Za-z0-9_]/.test(sql[from - 1])) from--;
  while (to < sql.length && /[A-Za-z0-9_]/.test(sql[to])) to++;
  if (from === to) return null;
  const word = sql.slice(from, to);
  const qual = /([A-Za-z_][A-Za-z0-9_]*)\.$/.exec(sql.slice(0, from));
  const refs = tablesInSql(sql);
  if (!qual) {
    const table = findTable(tables, word);
    if (table && refs.some((r) => r.table.toLowerCase() === word.toLowerCase())) {
      return { from, to, title: table.name, detail: table.description, columns: table.columns.filter((c) => !c.hidden) };
    }
  }
  const candidates = qual
    ? refs.filter((r) => (r.alias ?? r.table).toLowerCase() === qual[1].toLowerCase() || r.table.toLowerCase() === qual[1].toLowerCase())
    : refs;
  for (const ref of candidates) {
    const table = findTable(tables, ref.table);
    const column = table?.columns.find((c) => c.name === word.toLowerCase());
    if (table && column) {
      return { from, to, title: `${table.name}.${column.name}`, detail: [column.type, column.description].filter(Boolean).join(" — ") };
    }
  }
  const table = findTable(tables, word);
  if (table) return { from, to, title: table.name, detail: table.description, columns: table.columns.filter((c) => !c.hidden) };
  return null;
}
