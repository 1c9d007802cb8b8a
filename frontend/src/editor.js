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

const SELECTOR = "textarea[data-body-editor]:not([data-body-editor-ready])";
// CodeMirror's base styles go into one <style> element (style-mod uses constructable
// stylesheets only inside shadow roots): it carries the page's CSP nonce, which the
// server put on this module's <script> (style-src has CSP.NONCE). Read once: a part
// htmx swaps in later carries another response's nonce, which this page's policy lacks.
const scriptTag = document.querySelector("script[data-body-editor-script]");
const NONCE = (scriptTag && scriptTag.nonce) || "";
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

/** A team variable, as console/variables writes it: {{name}}, spaces allowed inside. */
const PLACEHOLDER = /\{\{\s*[A-Za-z_][A-Za-z0-9_.\-]*\s*\}\}/;

/**
 * The first error in `text` as strict JSON (a {{variable}} counts as a value): {pos, message}, or null when it parses.
 * Browsers word JSON.parse's errors differently and often give no position (V8:
 * `Unexpected token '}', ..."x" is not valid JSON`), so the editor finds the place
 * itself, the same in every browser.
 */
export function jsonError(text) {
  const n = text.length;
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const VALUE_PLACEHOLDER = new RegExp(PLACEHOLDER.source, "y");
  let i = 0;
  const found = () => (i >= n ? "the end of the text" : `'${text[i]}'`);
  const fail = (message) => {
    throw { jsonError: true, pos: Math.min(i, n), message };
  };
  const ws = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  function string() {
    const start = i;
    i++;
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("Invalid \\u escape in a string");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail("Invalid escape in a string");
        }
        continue;
      }
      if (c === "\n" || c === "\r") fail("A line break inside a string (missing closing quote?)");
      if (c < " ") fail("A control character inside a string");
      i++;
    }
    i = start;
    fail("A string without its closing quote");
  }
  function value() {
    ws();
    const c = text[i];
    VALUE_PLACEHOLDER.lastIndex = i;
    if (c === "{" && VALUE_PLACEHOLDER.test(text)) {
      // {{count}} as a value: the console puts the variable's text there before sending.
      i = VALUE_PLACEHOLDER.lastIndex;
      return;
    }
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`Expected a property name in double quotes, found ${found()}`);
        string();
        ws();
        if (text[i] !== ":") fail(`Expected ':' after the property name, found ${found()}`);
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail(`Expected ',' or '}' after a property value, found ${found()}`);
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail(`Expected ',' or ']' after an array element, found ${found()}`);
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m && m[0] && m[0] !== "-") {
      i += m[0].length;
      return;
    }
    for (const literal of ["true", "false", "null"]) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail(`Expected a value, found ${found()}`);
  }
  try {
    value();
    ws();
    if (i < n) fail(`Unexpected ${found()} after the JSON value`);
    return null;
  } catch (e) {
    if (e && e.jsonError) return { pos: e.pos, message: e.message };
    throw e;
  }
}

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
        message: `Invalid JSON: ${problem.message} (line ${line.number}, column ${problem.pos - line.from + 1})`,
      },
    ];
  }
}

/* ---------------------------------------------------------------------- *
 * Format JSON, keeping number literals exactly as typed (as console.js does)
 * ---------------------------------------------------------------------- */

function reindentJson(text) {
  const placeholder = new RegExp(PLACEHOLDER.source, "y");
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
    placeholder.lastIndex = i;
    if (ch === "{" && placeholder.test(text)) {
      out += text.slice(i, placeholder.lastIndex); // a {{variable}} stays as written
      i = placeholder.lastIndex;
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
