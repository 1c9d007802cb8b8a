/*
 * The operation page's JSON body editor: CodeMirror 6 over textarea[data-body-editor].
 *
 * Progressive: the textarea stays in the form (hidden) and is what gets posted; every
 * change in the editor is copied into it at once (so plain submits, htmx submits and
 * Ctrl+Enter all post the editor's text), and a script that sets the textarea's value
 * and dispatches "input" on it updates the editor. Without JavaScript the textarea is
 * the editor.
 *
 *   <textarea data-body-editor data-body-schema="JSON">  the completion schema
 *                                                         (console/explorer/body_hints.py)
 *   textarea.bodyEditor                                  the EditorView, once enhanced
 *
 * CSP: CodeMirror's own base styles go into one <style> element with the page's CSP
 * nonce (see NONCE below); token colours are plain classes (tok-*, from @lezer/highlight's
 * classHighlighter) styled in static/css/console.css with the console's colour
 * variables, so light and dark follow prefers-color-scheme.
 */
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  drawSelection,
} from "@codemirror/view";
import {
  defaultKeymap,
  history,
  historyKeymap,
  indentWithTab,
} from "@codemirror/commands";
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { json } from "@codemirror/lang-json";
import { linter, lintGutter, lintKeymap } from "@codemirror/lint";
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  pickedCompletion,
} from "@codemirror/autocomplete";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { classHighlighter } from "@lezer/highlight";
import {
  INDENT,
  PLACEHOLDER,
  containerSchema,
  contextAt,
  jsonError,
  keysAfter,
  reindentJson,
  stringEnd,
  valueSchema,
} from "./json-scan.js";

const SELECTOR = "textarea[data-body-editor]:not([data-body-editor-ready])";
// CodeMirror's base styles go into one <style> element (style-mod uses constructable
// stylesheets only inside shadow roots): it carries the page's CSP nonce, which the
// server put on this module's <script> (style-src has CSP.NONCE). Read once: a part
// htmx swaps in later carries another response's nonce, which this page's policy lacks.
const scriptTag = document.querySelector("script[data-body-editor-script]");
const NONCE = (scriptTag && scriptTag.nonce) || "";

/* ---------------------------------------------------------------------- *
 * Completion from the request body's schema
 * ---------------------------------------------------------------------- */

function typeLabel(node) {
  if (!node) return "";
  let t = node.type || "";
  if (node.nullable) t += t ? " | null" : "null";
  return t;
}

/** What follows a property name that was just completed, and where the cursor goes:
 * inside the quotes of a string (where its enum is offered), the braces of an object. */
function valueStub(node) {
  const type = node && node.type;
  if (type === "object") return { text: "{}", caret: 1 };
  if (type === "array") return { text: "[]", caret: 1 };
  if (type === "string") return { text: '""', caret: 1 };
  return { text: "", caret: 0 };
}

/** The range a completion replaces, worked out when it is applied (the text may have
 * grown since the list was made): a whole quoted string, or the typed word. */
function replaced(view, from, to, quoted) {
  if (!quoted) return { start: from, end: to };
  const text = view.state.doc.toString();
  return { start: from - 1, end: stringEnd(text, from - 1) };
}

function propertyOptions(node, taken, quoted) {
  if (!node || !node.properties) return [];
  const props = node.properties;
  const required = new Set(node.required || []);
  return Object.keys(props)
    .filter((name) => !taken.has(name))
    .map((name) => {
      const child = props[name];
      return {
        label: name,
        type: "property",
        detail: typeLabel(child) + (required.has(name) ? " · required" : ""),
        info: child.description || undefined,
        boost: required.has(name) ? 1 : 0,
        apply(view, completion, from, to) {
          const { start, end } = replaced(view, from, to, quoted);
          const after = view.state.doc.sliceString(end, end + 40);
          let insert = JSON.stringify(name);
          let caret = insert.length;
          if (!/^\s*:/.test(after)) {
            const stub = valueStub(child);
            insert += ": " + stub.text;
            caret = insert.length - stub.text.length + stub.caret;
          }
          // A picked property reopens the list (activateOnCompletion): the value's
          // enum, or the nested object's properties, come next.
          view.dispatch({
            changes: { from: start, to: end, insert },
            selection: { anchor: start + caret },
            userEvent: "input.complete",
            annotations: pickedCompletion.of(completion),
            scrollIntoView: true,
          });
        },
      };
    });
}

function valueOptions(node, quoted) {
  if (!node) return [];
  let values = [];
  if (node.enum) values = node.enum.slice();
  else if (node.type === "boolean") values = [true, false];
  if (node.nullable && values.length && values.indexOf(null) === -1) values.push(null);
  if (quoted) values = values.filter((v) => typeof v === "string");
  return values.map((value) => {
    const literal = JSON.stringify(value);
    return {
      // In quotes the typed text is the string's content; outside, the JSON literal.
      label: quoted ? value : literal,
      type: "enum",
      detail: value === null ? "null" : typeof value,
      apply(view, completion, from, to) {
        const { start, end } = replaced(view, from, to, quoted);
        view.dispatch({
          changes: { from: start, to: end, insert: literal },
          selection: { anchor: start + literal.length },
          userEvent: "input.complete",
          annotations: pickedCompletion.of(completion),
        });
      },
    };
  });
}

/** A CodeMirror completion source over `schema` (a completion_schema tree). */
export function schemaCompletion(schema) {
  return (context) => {
    if (!schema || typeof schema !== "object") return null;
    const text = context.state.doc.toString();
    const pos = context.pos;
    const { stack, string } = contextAt(text, pos);
    const top = stack[stack.length - 1];
    if (!top) return null;
    const expectsKey = top.kind === "o" && top.state === "key";
    if (string) {
      const from = string.start + 1;
      let options;
      if (expectsKey) {
        const taken = new Set(top.keys.concat(keysAfter(text, string.end)));
        options = propertyOptions(containerSchema(schema, stack), taken, true);
      } else {
        // Inside quotes only string values fit.
        options = valueOptions(valueSchema(schema, stack), true);
      }
      if (!options.length) return null;
      return { from, to: pos, options, validFor: /^[^"\\]*$/ };
    }
    const word = context.matchBefore(/[\w$.+-]*/);
    const from = word ? word.from : pos;
    if (!context.explicit && (!word || word.from === word.to)) return null;
    const options = expectsKey
      ? propertyOptions(containerSchema(schema, stack), new Set(top.keys.concat(keysAfter(text, pos))), false)
      : valueOptions(valueSchema(schema, stack), false);
    if (!options.length) return null;
    return { from, to: pos, options, validFor: /^[\w$.+-]*$/ };
  };
}

/* ---------------------------------------------------------------------- *
 * Lint: JSON parse errors marked at their line; never a blocker. An unquoted
 * {{variable}} in a value's place is no error: it becomes the variable's text (a
 * number, true) before the call is sent.
 * ---------------------------------------------------------------------- */

function bodyLinter(view) {
  const { doc } = view.state;
  const text = doc.toString();
  // An empty body is allowed (an optional body left out), as the textarea had it.
  if (!text.trim()) return [];
  try {
    JSON.parse(text);
    return [];
  } catch (e) {
    let problem = jsonError(text);
    if (!problem) {
      // Only {{variables}} in value places: valid once they are put in.
      if (PLACEHOLDER.test(text)) return [];
      problem = { pos: 0, message: String((e && e.message) || e) };
    }
    const line = doc.lineAt(problem.pos);
    const to = problem.pos < line.to ? problem.pos + 1 : problem.pos;
    return [
      {
        from: problem.pos,
        to,
        severity: "error",
        message: `The request body is not valid JSON: ${problem.message} (line ${line.number}, column ${problem.pos - line.from + 1}).`,
      },
    ];
  }
}

/* ---------------------------------------------------------------------- *
 * Format JSON, keeping number literals exactly as typed (as console.js does)
 * ---------------------------------------------------------------------- */

function formatEditor(view) {
  const text = view.state.doc.toString();
  if (!text.trim()) return;
  const problem = jsonError(text);
  if (problem) {
    // The lint mark shows what; put the cursor on it.
    view.focus();
    view.dispatch({ selection: { anchor: problem.pos }, scrollIntoView: true });
    return;
  }
  const pretty = reindentJson(text);
  if (pretty !== text) {
    view.dispatch({ changes: { from: 0, to: text.length, insert: pretty }, userEvent: "input.format" });
  }
  view.focus();
}

/* ---------------------------------------------------------------------- *
 * Enhancing a textarea
 * ---------------------------------------------------------------------- */

function readSchema(textarea) {
  try {
    return JSON.parse(textarea.getAttribute("data-body-schema") || "null");
  } catch (e) {
    return null;
  }
}

/** Mod-Enter is the console's Send shortcut (console.js): the editor leaves it alone. */
const keys = defaultKeymap.filter((b) => b.key !== "Mod-Enter");

function enhance(textarea) {
  textarea.setAttribute("data-body-editor-ready", "");
  const schema = readSchema(textarea);
  const label = textarea.id && document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);
  if (label && !label.id) label.id = textarea.id + "-label";
  const contentAttrs = { "aria-multiline": "true" };
  if (label) contentAttrs["aria-labelledby"] = label.id;
  const describedBy = textarea.getAttribute("aria-describedby");
  if (describedBy) contentAttrs["aria-describedby"] = describedBy;
  if (textarea.getAttribute("aria-invalid") === "true") contentAttrs["aria-invalid"] = "true";

  let syncing = false;
  const view = new EditorView({
    parent: textarea.parentNode,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        foldGutter(),
        drawSelection(),
        indentUnit.of(INDENT),
        EditorState.tabSize.of(2),
        indentOnInput(),
        syntaxHighlighting(classHighlighter),
        bracketMatching(),
        closeBrackets(),
        autocompletion({
          override: [schemaCompletion(schema)],
          icons: false,
          activateOnCompletion: (c) => c.type === "property",
        }),
        highlightActiveLine(),
        highlightSelectionMatches(),
        json(),
        linter(bodyLinter, { delay: 300 }),
        lintGutter(),
        keymap.of([
          ...closeBracketsKeymap,
          ...keys,
          ...searchKeymap,
          ...historyKeymap,
          ...foldKeymap,
          ...completionKeymap,
          ...lintKeymap,
          indentWithTab,
        ]),
        EditorView.cspNonce.of(NONCE),
        EditorView.contentAttributes.of(contentAttrs),
        EditorView.editorAttributes.of({ class: "body-editor" }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || syncing) return;
          textarea.value = update.state.doc.toString();
          // Others listening on the form (previews, validation) hear the change.
          syncing = true;
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
          syncing = false;
        }),
      ],
    }),
  });
  textarea.insertAdjacentElement("afterend", view.dom);
  textarea.hidden = true;
  textarea.bodyEditor = view;

  // A script that sets the textarea's value (and says so) updates the editor.
  const pull = () => {
    if (syncing) return;
    const value = textarea.value;
    if (value === view.state.doc.toString()) return;
    syncing = true;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    syncing = false;
  };
  textarea.addEventListener("input", pull);
  textarea.addEventListener("change", pull);
  if (label) label.addEventListener("click", () => view.focus());
  // Belt and braces: the textarea holds the editor's text when the form is sent.
  const form = textarea.form;
  if (form && !form.hasAttribute("data-body-editor-form")) {
    form.setAttribute("data-body-editor-form", "");
    const push = () => {
      for (const t of form.querySelectorAll("textarea[data-body-editor-ready]")) {
        if (t.bodyEditor) t.value = t.bodyEditor.state.doc.toString();
      }
    };
    form.addEventListener("submit", push, true);
    form.addEventListener("htmx:configRequest", push, true);
  }
}

function enhanceAll(root) {
  const scope = root && root.querySelectorAll ? root : document;
  if (scope.matches && scope.matches(SELECTOR)) enhance(scope);
  for (const textarea of scope.querySelectorAll(SELECTOR)) enhance(textarea);
}

// Format JSON for an enhanced textarea formats the editor (console.js would write into
// the hidden textarea); captured before console.js's delegated handler sees the click.
document.addEventListener(
  "click",
  (event) => {
    const button = event.target.closest && event.target.closest("[data-format-json]");
    if (!button) return;
    const ref = button.getAttribute("data-format-json");
    let textarea = ref ? document.querySelector(ref) : null;
    if (!textarea) {
      const box = button.closest(".json-editor, .field");
      textarea = box && box.querySelector("textarea");
    }
    if (!textarea || !textarea.bodyEditor) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    formatEditor(textarea.bodyEditor);
  },
  true,
);

enhanceAll(document);
// Parts htmx swaps in (another body variant) bring a new textarea.
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType === 1) enhanceAll(node);
    }
  }
}).observe(document.body, { childList: true, subtree: true });
