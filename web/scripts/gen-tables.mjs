// Writes src/generated/tables.json: every SQL table the agent declares (name,
// description, aliases, columns with type, description and hidden flag), read
// from the C++ table declarations under ../src (`TableSchema{"name",
// "description", {columns...}, {aliases...}}`), for the query editor's
// autocomplete and hover docs. Run by `npm run gen`, so a fresh checkout
// needs no built binary.
//
// It is a small tokenizer, not a C++ parser: it understands string literals
// (adjacent ones joined), nested braces and parentheses, the column forms the
// tables use (`{"name", ColumnType::kText, options, "collate", "description"}`
// and helper lambdas such as `text("name", "description")` or
// `col("name", T::kBigInt, kHidden)`). A declaration it cannot read is
// skipped with a warning, never guessed (a table whose columns are computed
// in code takes them from osquery's schema in tests/fixtures, which the C++
// tests hold shared tables to); `warden tables --format json` stays
// the reference for what an agent really has.
import { readdirSync, readFileSync, mkdirSync, writeFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = path.resolve(webDir, "../src");
const outFile = path.join(webDir, "src/generated/tables.json");

const TYPE_NAMES = {
  kText: "TEXT",
  kInteger: "INTEGER",
  kBigInt: "BIGINT",
  kUnsignedBigInt: "UNSIGNED_BIGINT",
  kDouble: "DOUBLE",
  kBlob: "BLOB",
};

function listSources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listSources(p));
    else if (name.endsWith(".cc") && !name.endsWith("_test.cc")) out.push(p);
  }
  return out.sort();
}

// Tokens: {t: "str", v} (adjacent literals joined), {t: "id", v} (identifiers
// with ::), {t: "p", v} (one punctuation character). Comments are dropped.
export function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || (c === "R" && text[i + 1] === '"')) {
      let value = "";
      if (c === "R") {
        const open = text.indexOf("(", i);
        const delim = text.slice(i + 2, open);
        const close = text.indexOf(")" + delim + '"', open);
        value = text.slice(open + 1, close);
        i = close + delim.length + 2;
      } else {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\") {
            const n = text[i + 1];
            value += n === "n" ? "\n" : n === "t" ? "\t" : n;
            i += 2;
          } else value += text[i++];
        }
        i++;
      }
      const last = tokens[tokens.length - 1];
      if (last && last.t === "str") last.v += value;
      else tokens.push({ t: "str", v: value });
    } else if (c === "'") {
      i++;
      while (i < text.length && text[i] !== "'") i += text[i] === "\\" ? 2 : 1;
      i++;
      tokens.push({ t: "p", v: "'" });
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < text.length && (/[A-Za-z0-9_]/.test(text[j]) || (text[j] === ":" && text[j + 1] === ":" && j++))) j++;
      tokens.push({ t: "id", v: text.slice(i, j) });
      i = j;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      tokens.push({ t: "p", v: c });
      i++;
    }
  }
  return tokens;
}

const CLOSE = { "{": "}", "(": ")", "[": "]" };

// Reads a balanced group starting at tokens[at] (an opening bracket): returns
// its comma-separated elements, each an array of tokens and nested groups
// ({t: "group", open, elements}), and the index after the group.
function readGroup(tokens, at) {
  const open = tokens[at].v;
  const elements = [[]];
  let i = at + 1;
  while (i < tokens.length) {
    const tok = tokens[i];
    if (tok.t === "p" && tok.v === CLOSE[open]) {
      if (elements[elements.length - 1].length === 0) elements.pop();
      return { group: { t: "group", open, elements }, next: i + 1 };
    }
    if (tok.t === "p" && CLOSE[tok.v]) {
      const inner = readGroup(tokens, i);
      elements[elements.length - 1].push(inner.group);
      i = inner.next;
      continue;
    }
    if (tok.t === "p" && tok.v === ",") elements.push([]);
    else elements[elements.length - 1].push(tok);
    i++;
  }
  throw new Error("unbalanced brackets");
}

function typeOf(tokens) {
  for (const tok of tokens) {
    if (tok.t === "id") {
      const k = tok.v.split("::").pop();
      if (TYPE_NAMES[k] && /^(ColumnType|T)::/.test(tok.v)) return TYPE_NAMES[k];
    }
  }
  return null;
}

const flat = (element) => element.flatMap((x) => (x.t === "group" ? x.elements.flatMap(flat) : [x]));
const onlyString = (element) => (element.length === 1 && element[0].t === "str" ? element[0].v : null);

// Helper lambdas: `auto text = [](...) { return Column{name, ColumnType::kText, ...}; };`
// give a fixed type (or none when the type is a parameter).
function helpers(tokens) {
  const found = new Map();
  for (let i = 0; i + 3 < tokens.length; i++) {
    if (tokens[i].v === "auto" && tokens[i + 1].t === "id" && tokens[i + 2].v === "=" && tokens[i + 3].v === "[") {
      // The body: up to the matching "}" of the first "{" after the parameter list.
      let j = i + 3;
      while (j < tokens.length && tokens[j].v !== "{") j++;
      if (j >= tokens.length) continue;
      const { group } = readGroup(tokens, j);
      const body = group.elements.flatMap(flat);
      if (body.some((t) => t.v === "Column")) found.set(tokens[i + 1].v, typeOf(body));
    }
  }
  return found;
}

function readColumn(item, helperTypes) {
  // {"name", ColumnType::kText, options, "collate", "description", {aliases}}
  if (item.length === 1 && item[0].t === "group" && item[0].open === "{") {
    const els = item[0].elements;
    const name = els[0] && onlyString(els[0]);
    const type = els[1] && typeOf(els[1]);
    if (!name || !type) return null;
    return {
      name,
      type,
      description: (els[4] && onlyString(els[4])) ?? "",
      hidden: els[2] ? els[2].some((t) => t.v === "kHidden") : false,
    };
  }
  // helper("name", ...)
  if (item.length === 2 && item[0].t === "id" && item[1].t === "group" && item[1].open === "(" && helperTypes.has(item[0].v)) {
    const args = item[1].elements;
    const name = args[0] && onlyString(args[0]);
    const type = helperTypes.get(item[0].v) ?? typeOf(args.flatMap(flat));
    if (!name || !type) return null;
    const strings = args.slice(1).map(onlyString).filter((s) => s !== null);
    return {
      name,
      type,
      description: strings.length ? strings[strings.length - 1] : "",
      hidden: args.flatMap(flat).some((t) => t.v === "kHidden"),
    };
  }
  return null;
}

let osquery = null;
function osqueryColumns(name) {
  if (!osquery) {
    try {
      osquery = JSON.parse(readFileSync(path.resolve(webDir, "../tests/fixtures/osquery-tables.json"), "utf8"));
    } catch {
      osquery = [];
    }
  }
  const table = osquery.find((t) => t.name === name);
  return table ? table.columns.map((c) => ({ name: c.name, type: c.type, description: "", hidden: !!c.hidden })) : null;
}

export function tablesOf(text, file = "") {
  const tokens = tokenize(text);
  const helperTypes = helpers(tokens);
  const tables = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].v !== "TableSchema") continue;
    let j = i + 1;
    if (tokens[j]?.t === "id") j++; // TableSchema schema{...}
    if (tokens[j]?.v !== "{") continue;
    const { group } = readGroup(tokens, j);
    const [nameEl, descEl, colsEl, aliasesEl] = group.elements;
    const name = nameEl && onlyString(nameEl);
    const description = descEl && onlyString(descEl);
    if (!name || description === null || !colsEl) {
      console.warn(`gen-tables: skipped a declaration in ${file} (not literal)`);
      continue;
    }
    if (colsEl.length !== 1 || colsEl[0].t !== "group") {
      // Columns computed in code (process_namespaces): osquery's schema, which
      // tests/table_schema_test.cc holds every shared table to, names them.
      const reference = osqueryColumns(name);
      if (reference) tables.push({ name, description, aliases: [], columns: reference });
      else console.warn(`gen-tables: skipped table ${name} in ${file} (columns computed in code)`);
      continue;
    }
    const columns = [];
    let ok = true;
    for (const item of colsEl[0].elements) {
      const column = readColumn(item, helperTypes);
      if (!column) {
        ok = false;
        break;
      }
      columns.push(column);
    }
    if (!ok) {
      console.warn(`gen-tables: skipped table ${name} in ${file} (a column it cannot read)`);
      continue;
    }
    const aliases =
      aliasesEl && aliasesEl.length === 1 && aliasesEl[0].t === "group"
        ? aliasesEl[0].elements.map(onlyString).filter((s) => s !== null)
        : [];
    tables.push({ name, description, aliases, columns });
  }
  return tables;
}

function main() {
  const all = new Map();
  for (const file of listSources(srcDir)) {
    const text = readFileSync(file, "utf8");
    if (!text.includes("TableSchema")) continue;
    for (const t of tablesOf(text, path.relative(srcDir, file))) all.set(t.name, t);
  }
  const tables = [...all.values()].sort((a, b) => a.name.localeCompare(b.name));
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(tables) + "\n");
  console.log(`gen-tables: ${tables.length} tables, ${tables.reduce((n, t) => n + t.columns.length, 0)} columns -> ${path.relative(webDir, outFile)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
