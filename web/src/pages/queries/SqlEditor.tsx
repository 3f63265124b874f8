// The SQL editor of the query console: CodeMirror 6 with SQLite highlighting,
// completion of table names (after FROM/JOIN) and of the columns of the
// tables the statement reads, and a table or column's documentation on
// hover. Table metadata is src/generated/tables.json (npm run gen reads the
// agent's C++ table declarations). Loaded only with the Queries page (a lazy
// route). It does not run or validate SQL; the agent does. Tooltips are
// built with textContent, never HTML.
//
// The editor lives in a shadow root: CodeMirror writes its styles with
// style-mod, which in a document inserts a <style> element (refused by the
// console's Content-Security-Policy) but in a shadow root adopts a
// constructed style sheet, which the policy allows. So its look is defined
// here (EditorView.theme, HighlightStyle) from the palette's CSS variables,
// which inherit into the shadow root; styles.css does not reach inside.
import { useEffect, useRef } from "react";
import { EditorState } from "@codemirror/state";
import { EditorView, hoverTooltip, keymap, lineNumbers, placeholder } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { autocompletion, completionKeymap, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { HighlightStyle, bracketMatching, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";
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

const MONO = 'ui-monospace, "DejaVu Sans Mono", monospace';

const theme = EditorView.theme({
  "&": { color: "var(--fg)", backgroundColor: "var(--bg)", border: "1px solid var(--border)", borderRadius: "4px", maxHeight: "360px", fontSize: "14px" },
  "&.cm-focused": { outline: "3px solid var(--focus)", outlineOffset: "2px" },
  ".cm-scroller": { overflow: "auto", fontFamily: MONO, lineHeight: "1.5" },
  ".cm-content, .cm-gutter": { minHeight: "160px" },
  ".cm-content": { caretColor: "var(--fg)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--fg)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection": { backgroundColor: "var(--row-selected)" },
  ".cm-gutters": { backgroundColor: "var(--bg-alt)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-placeholder": { color: "var(--muted)" },
  ".cm-matchingBracket": { outline: "1px solid var(--muted)" },
  ".cm-tooltip": { backgroundColor: "var(--bg)", color: "var(--fg)", border: "1px solid var(--border)", borderRadius: "4px" },
  ".cm-tooltip-autocomplete > ul": { fontFamily: MONO, maxHeight: "16em" },
  ".cm-tooltip-autocomplete > ul > li": { padding: "2px 8px" },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent)", color: "var(--accent-fg)" },
  ".cm-completionDetail": { color: "inherit", fontStyle: "normal", marginLeft: "12px", opacity: "0.85" },
  ".cm-completionInfo": { padding: "4px 8px", maxWidth: "360px" },
  ".sql-doc": { maxWidth: "480px", padding: "6px 10px", fontFamily: "system-ui, sans-serif" },
  ".sql-doc p": { margin: "4px 0 0" },
  ".sql-doc-columns": { color: "var(--muted)", fontFamily: MONO, fontSize: "0.85em" },
});

// Token colours from the palette (styles.css sets --tok-* per theme).
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--tok-keyword)", fontWeight: "600" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--tok-string)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--tok-number)" },
  { tag: [tags.typeName, tags.standard(tags.name)], color: "var(--tok-type)" },
  { tag: [tags.lineComment, tags.blockComment], color: "var(--muted)", fontStyle: "italic" },
]);

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
    const el = host.current!;
    const shadow = el.shadowRoot ?? el.attachShadow({ mode: "open" });
    const v = new EditorView({
      root: shadow,
      parent: shadow,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          bracketMatching(),
          sql({ dialect: SQLite, upperCaseKeywords: true }),
          theme,
          syntaxHighlighting(highlight),
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
