// The SQL editor of the query console: CodeMirror 6 with SQLite highlighting,
// completion of table names (after FROM/JOIN) and of the columns of the
// tables the statement reads, and a table or column's documentation on
// hover. Table metadata is src/generated/tables.json (npm run gen reads the
// agent's C++ table declarations). Loaded only with the Queries page (a lazy
// route). It does not run or validate SQL; the agent does. Tooltips are
// built with textContent, never HTML.
import { useEffect, useRef } from "react";
import { EditorState } from "@codemirror/state";
import { EditorView, hoverTooltip, keymap, lineNumbers, placeholder } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { autocompletion, completionKeymap, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { bracketMatching, syntaxHighlighting } from "@codemirror/language";
import { classHighlighter } from "@lezer/highlight";
import { sql, SQLite } from "@codemirror/lang-sql";
import generated from "../../generated/tables.json";
import { docAt, suggestions, type TableInfo } from "../../lib/sqlSchema";

export const TABLES = generated as TableInfo[];

const SQL_KEYWORDS = "SELECT FROM WHERE JOIN LEFT INNER ON USING GROUP BY ORDER HAVING LIMIT OFFSET AS AND OR NOT IN LIKE IS NULL DISTINCT COUNT UNION ALL CASE WHEN THEN ELSE END DESC ASC".split(" ");

function complete(context: CompletionContext): CompletionResult | null {
  const text = context.state.doc.toString();
  const { from, options } = suggestions(TABLES, text, context.pos);
  const word = text.slice(from, context.pos);
  if (!context.explicit && word.length === 0 && !/[.\s,]$/.test(text.slice(0, context.pos))) return null;
  const result = options.map((o) => ({
    label: o.label,
    type: o.kind === "table" ? "class" : "property",
    detail: o.detail,
    info: o.info || undefined,
    boost: o.kind === "column" ? 2 : 1,
  }));
  if (word.length > 0) {
    for (const k of SQL_KEYWORDS) if (k.toLowerCase().startsWith(word.toLowerCase())) result.push({ label: k, type: "keyword", detail: "", info: undefined, boost: 0 });
  }
  if (result.length === 0) return null;
  return { from, options: result, validFor: /^[A-Za-z0-9_]*$/ };
}

const docs = hoverTooltip((view, pos) => {
  const doc = docAt(TABLES, view.state.doc.toString(), pos);
  if (!doc) return null;
  return {
    pos: doc.from,
    end: doc.to,
    above: true,
    create() {
      const dom = document.createElement("div");
      dom.className = "sql-doc";
      const title = dom.appendChild(document.createElement("strong"));
      title.textContent = doc.title;
      if (doc.detail) dom.appendChild(document.createElement("p")).textContent = doc.detail;
      if (doc.columns?.length) {
        const list = dom.appendChild(document.createElement("p"));
        list.className = "sql-doc-columns";
        list.textContent = doc.columns.map((c) => `${c.name} ${c.type}`).join(", ");
      }
      return { dom };
    },
  };
});

export interface SqlEditorProps {
  value: string;
  onChange(value: string): void;
  onRun(): void;
  label: string;
}

export default function SqlEditor({ value, onChange, onRun, label }: SqlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          bracketMatching(),
          sql({ dialect: SQLite, upperCaseKeywords: true }),
          // Token classes (tok-keyword, ...) coloured per theme in styles.css.
          syntaxHighlighting(classHighlighter),
          autocompletion({ override: [complete], activateOnTyping: true }),
          docs,
          placeholder("SELECT pid, name FROM processes"),
          keymap.of([
            { key: "Mod-Enter", run: () => (callbacks.current.onRun(), true) },
            ...completionKeymap,
            ...defaultKeymap,
            ...historyKeymap,
          ]),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true", role: "textbox" }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) callbacks.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is made once; later values arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value set from outside (a saved query loaded, a re-run) replaces the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  return <div className="sql-editor" ref={host} data-testid="sql-editor" />;
}
