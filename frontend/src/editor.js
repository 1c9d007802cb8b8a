/*
 * The operation page's JSON body editor: CodeMirror 6 over textarea[data-body-editor].
 *
 * Progressive: the textarea stays in the form (hidden) and is what gets posted; every
 * change in the editor is copied into it at once (so plain submits, htmx submits and
 * Ctrl+Enter all post the editor's text), and a script that sets the textarea's value
 * and dispatches "input" on it updates the editor. Without JavaScript the textarea is
 * the editor.
 *
 *   <textarea data-body-editor data-body-schema="ID">   ID: a json_script element with
 *                                                         the completion schema
 *                                                         (console/explorer/body_hints.py)
 *   textarea.bodyEditor                                  the EditorView, once enhanced
 *
 * CSP: no inline styles. CodeMirror's own base styles go in through constructable
 * stylesheets (style-mod uses adoptedStyleSheets); token colours are plain classes
 * (tok-*, from @lezer/highlight's classHighlighter) styled in static/css/console.css
 * with the console's colour variables, so light and dark follow prefers-color-scheme.
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
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter, lintKeymap } from "@codemirror/lint";
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  startCompletion,
} from "@codemirror/autocomplete";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { classHighlighter } from "@lezer/highlight";

const SELECTOR = "textarea[data-body-editor]:not([data-body-editor-ready])";
const INDENT = "  ";

/* ---------------------------------------------------------------------- *
 * Where the cursor is in the (possibly unfinished) JSON text
 * ---------------------------------------------------------------------- */

/** End of the string starting at `start` (index after its closing quote, or where it
 * stops unterminated: a line break or the end of the text). */
function stringEnd(text, start) {
  let j = start + 1;
  while (j < text.length && text[j] !== '"' && text[j] !== "\n") {
    j += text[j] === "\\" ? 2 : 1;
  }
  return text[j] === '"' ? j + 1 : j;
}

function unquote(raw) {
  try {
    return JSON.parse(raw);
  } catch (e) {
    return raw.slice(1, raw.endsWith('"') && raw.length > 1 ? -1 : undefined);
  }
}

/**
 * Scan `text` up to `pos` with a tolerant tokenizer (the text is usually unfinished).
 * Returns the stack of open containers — objects as {kind: "o", state: "key"|"value",
 * key, keys} and arrays as {kind: "a"} — and the string the cursor is in, if any.
 */
export function contextAt(text, pos) {
  const stack = [];
  let i = 0;
  while (i < pos) {
    const ch = text[i];
    const top = stack[stack.length - 1];
    if (ch === '"') {
      const end = stringEnd(text, i);
      const closed = text[end - 1] === '"' && end - 1 > i;
      if (pos < end || (pos === end && !closed)) {
        return { stack, string: { start: i, end } };
      }
      if (top && top.kind === "o" && top.state === "key") {
        top.key = unquote(text.slice(i, end));
        top.keys.push(top.key);
      }
      i = end;
      continue;
    }
    if (ch === "{") stack.push({ kind: "o", state: "key", key: null, keys: [] });
    else if (ch === "[") stack.push({ kind: "a" });
    else if (ch === "}" || ch === "]") stack.pop();
    else if (ch === ":" && top && top.kind === "o") top.state = "value";
    else if (ch === "," && top && top.kind === "o") {
      top.state = "key";
      top.key = null;
    }
    i++;
  }
  return { stack, string: null };
}

/** Keys of the object the cursor is in that come after `from` (not offered again). */
function keysAfter(text, from) {
  const keys = [];
  let depth = 0;
  let i = from;
  while (i < text.length && depth >= 0) {
    const ch = text[i];
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (depth === 0 && /^\s*:/.test(text.slice(end, end + 40))) {
        keys.push(unquote(text.slice(i, end)));
      }
      i = end;
      continue;
    }
    if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
    i++;
  }
  return keys;
}

function follow(schema, frames) {
  let node = schema;
  for (const frame of frames) {
    if (!node) return null;
    node = frame.kind === "a" ? node.items || null : (node.properties && node.properties[frame.key]) || null;
  }
  return node;
}

/** The schema of the container the cursor is in (the outermost one is the body). */
function containerSchema(schema, stack) {
  return follow(schema, stack.slice(0, -1));
}

/** The schema of the value the cursor is at: the current key's, or the array's items. */
function valueSchema(schema, stack) {
  return follow(schema, stack);
}

/* ---------------------------------------------------------------------- *
 * Completion from the request body's schema
 * ---------------------------------------------------------------------- */

function typeLabel(node) {
  if (!node) return "";
  let t = node.type || "";
  if (node.nullable) t += t ? " | null" : "null";
  return t;
}

/** What follows a property name that was just completed, and where the cursor goes. */
function valueStub(node) {
  const type = node && node.type;
  if (node && node.enum && node.enum.length && node.enum.every((v) => typeof v === "string")) {
    return { text: '""', caret: 1, more: true };
  }
  if (type === "object") return { text: "{}", caret: 1, more: true };
  if (type === "array") return { text: "[]", caret: 1, more: false };
  if (type === "string") return { text: '""', caret: 1, more: false };
  if (type === "boolean") return { text: "", caret: 0, more: true };
  return { text: "", caret: 0, more: false };
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
          let more = false;
          if (!/^\s*:/.test(after)) {
            const stub = valueStub(child);
            insert += ": " + stub.text;
            caret = insert.length - stub.text.length + stub.caret;
            more = stub.more;
          }
          view.dispatch({
            changes: { from: start, to: end, insert },
            selection: { anchor: start + caret },
            userEvent: "input.complete",
            scrollIntoView: true,
          });
          if (more) startCompletion(view);
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
 * Lint: JSON parse errors marked at their line; never a blocker
 * ---------------------------------------------------------------------- */

const parseLinter = jsonParseLinter();

function bodyLinter(view) {
  // An empty body is allowed (an optional body left out), as the textarea had it.
  if (!view.state.doc.toString().trim()) return [];
  return parseLinter(view).map((d) => ({ ...d, message: "Invalid JSON: " + d.message }));
}

/* ---------------------------------------------------------------------- *
 * Format JSON, keeping number literals exactly as typed (as console.js does)
 * ---------------------------------------------------------------------- */

function reindentJson(text) {
  let out = "";
  let depth = 0;
  let i = 0;
  const n = text.length;
  const newline = () => {
    out += "\n" + INDENT.repeat(depth);
  };
  while (i < n) {
    const ch = text[i];
    if (ch === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "{" || ch === "[") {
      let k = i + 1;
      while (k < n && /\s/.test(text[k])) k++;
      if (text[k] === (ch === "{" ? "}" : "]")) {
        out += ch + text[k];
        i = k + 1;
        continue;
      }
      out += ch;
      depth++;
      newline();
    } else if (ch === "}" || ch === "]") {
      depth--;
      newline();
      out += ch;
    } else if (ch === ",") {
      out += ",";
      newline();
    } else if (ch === ":") {
      out += ": ";
    } else {
      out += ch;
    }
    i++;
  }
  return out;
}

function formatEditor(view) {
  const text = view.state.doc.toString();
  if (!text.trim()) return;
  try {
    JSON.parse(text);
  } catch (e) {
    // The lint mark shows where; put the cursor on it.
    const found = bodyLinter(view)[0];
    view.focus();
    if (found) view.dispatch({ selection: { anchor: found.from }, scrollIntoView: true });
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
  const id = textarea.getAttribute("data-body-schema");
  const el = id && document.getElementById(id);
  if (!el) return null;
  try {
    return JSON.parse(el.textContent);
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
        autocompletion({ override: [schemaCompletion(schema)], icons: false }),
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
