// The query page's editor: CodeMirror 6 with SPARQL highlighting, bracket matching and
// completion of prefixes and ontology terms. Bundled by scripts/build-editor.mjs into
// src/peacekg/web/static/vendor/codemirror.js, which sets window.PeaceKGEditor.
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage, bracketMatching, syntaxHighlighting, defaultHighlightStyle, indentOnInput,
} from "@codemirror/language";
import {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap,
} from "@codemirror/autocomplete";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

const KEYWORDS = [
  "SELECT", "DISTINCT", "WHERE", "OPTIONAL", "FILTER", "BIND", "VALUES", "UNION", "MINUS",
  "GRAPH", "SERVICE", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "CONSTRUCT",
  "DESCRIBE", "ASK", "PREFIX", "COUNT", "SAMPLE", "GROUP_CONCAT", "NOT EXISTS", "LANG",
  "STR", "YEAR", "CONCAT", "COALESCE",
];

// PREFIX declarations written in the query, over the server's predefined ones.
function prefixMap(text, predefined) {
  const map = Object.assign({}, predefined);
  const pattern = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
  let match;
  while ((match = pattern.exec(text)) !== null) map[match[1] || ""] = match[2];
  return map;
}

function completionSource(predefined, loadTerms) {
  return async (context) => {
    const word = context.matchBefore(/[A-Za-z_][\w.-]*:[\w.-]*|:[\w.-]*|[A-Za-z_][\w-]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const before = context.state.sliceDoc(Math.max(word.from - 1, 0), word.from);
    if (before === "?" || before === "$" || before === "<") return null;
    const colon = word.text.indexOf(":");
    const text = context.state.doc.toString();
    const prefixes = prefixMap(text, predefined);
    if (colon < 0) {
      const options = Object.entries(prefixes).filter(([name]) => name).map(([name, iri]) => ({
        label: name + ":", type: "namespace", detail: iri, boost: 1,
      }));
      for (const keyword of KEYWORDS) options.push({ label: keyword, type: "keyword" });
      return { from: word.from, options, validFor: /^[\w-]*$/ };
    }
    const prefix = word.text.slice(0, colon);
    const namespace = prefixes[prefix];
    if (namespace === undefined) return null;
    const terms = await loadTerms();
    const options = [];
    for (const term of terms) {
      if (!term.iri.startsWith(namespace)) continue;
      const local = term.iri.slice(namespace.length);
      if (!/^[\w.-]*$/.test(local)) continue;
      options.push({
        label: prefix + ":" + local,
        type: term.kind === "class" ? "class" : term.kind === "concept" ? "constant" : "property",
        detail: term.label || "",
        info: term.comment || undefined,
      });
    }
    return { from: word.from, options, validFor: /^[\w.-]*:[\w.-]*$/ };
  };
}

// Replace `textarea` with an editor that keeps it up to date (the form still posts it).
function create(textarea, options) {
  const predefined = options.prefixes || {};
  let termsPromise = null;
  const loadTerms = () => {
    if (!termsPromise) {
      termsPromise = options.termsUrl
        ? fetch(options.termsUrl).then((r) => (r.ok ? r.json() : [])).catch(() => [])
        : Promise.resolve([]);
    }
    return termsPromise;
  };
  const run = () => {
    if (options.onRun) options.onRun();
    return true;
  };
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), history(),
        drawSelection(), indentOnInput(), bracketMatching(), closeBrackets(),
        highlightSelectionMatches(), EditorView.lineWrapping,
        StreamLanguage.define(sparql),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        autocompletion({ override: [completionSource(predefined, loadTerms)] }),
        placeholder("SELECT * WHERE { ?s ?p ?o } LIMIT 10"),
        keymap.of([
          { key: "Mod-Enter", run, preventDefault: true },
          ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap,
          ...completionKeymap, indentWithTab,
        ]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
        EditorView.contentAttributes.of({
          "aria-label": options.label || "SPARQL query", spellcheck: "false",
          autocapitalize: "off", autocorrect: "off",
        }),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.after(view.dom);
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setCursor(offset) {
      const at = Math.min(offset, view.state.doc.length);
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
    },
    cursor: () => view.state.selection.main.head,
    focus: () => view.focus(),
    setInvalid(invalid) {
      if (invalid) view.dom.setAttribute("aria-invalid", "true");
      else view.dom.removeAttribute("aria-invalid");
    },
  };
}

window.PeaceKGEditor = { create };
