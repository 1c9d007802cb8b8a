/*
 * The text side of the body editor, free of the DOM and of CodeMirror (so Node runs its
 * tests, frontend/test/json-scan.test.mjs): where the cursor is in unfinished JSON, the
 * schema at that place, the first error of strict JSON, and formatting.
 */

export const INDENT = "  ";

/* ---------------------------------------------------------------------- *
 * Where the cursor is in the (possibly unfinished) JSON text
 * ---------------------------------------------------------------------- */

/** End of the string starting at `start` (index after its closing quote, or where it
 * stops unterminated: a line break or the end of the text). */
export function stringEnd(text, start) {
  let j = start + 1;
  while (j < text.length && text[j] !== '"' && text[j] !== "\n") {
    j += text[j] === "\\" ? 2 : 1;
  }
  return text[j] === '"' ? j + 1 : j;
}

export function unquote(raw) {
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
export function keysAfter(text, from) {
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

export function follow(schema, frames) {
  let node = schema;
  for (const frame of frames) {
    if (!node) return null;
    node = frame.kind === "a" ? node.items || null : (node.properties && node.properties[frame.key]) || null;
  }
  return node;
}

/** The schema of the container the cursor is in (the outermost one is the body). */
export function containerSchema(schema, stack) {
  return follow(schema, stack.slice(0, -1));
}

/** The schema of the value the cursor is at: the current key's, or the array's items. */
export function valueSchema(schema, stack) {
  return follow(schema, stack);
}

/** A team variable, as console/variables writes it: {{name}}, spaces allowed inside. */
export const PLACEHOLDER = /\{\{\s*[A-Za-z_][A-Za-z0-9_.\-]*\s*\}\}/;

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

/** `text` (valid JSON, {{variables}} allowed) indented by two spaces, every literal kept
 * exactly as typed (no precision lost on big ids), as console.js formats the textarea. */
export function reindentJson(text) {
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
