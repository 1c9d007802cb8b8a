// Tests of src/json-scan.js with Node's own runner: `node --test test/` (no packages
// needed); tests/explorer/test_body_editor_bundle.py runs them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { contextAt, jsonError, keysAfter, reindentJson, valueSchema, containerSchema } from "../src/json-scan.js";

const SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string" },
    aggregation: { type: "object", properties: { type: { type: "string", enum: ["sum", "max"] } } },
    items: { type: "array", items: { type: "object", properties: { sku: { type: "string" } } } },
  },
};

/** The context at the "|" in `marked`. */
function at(marked) {
  const pos = marked.indexOf("|");
  const text = marked.slice(0, pos) + marked.slice(pos + 1);
  return { text, pos, ...contextAt(text, pos) };
}

test("a key position names the object the cursor is in", () => {
  const root = at('{"name": "x", "|"}');
  assert.equal(root.string.start, 14);
  assert.deepEqual(root.stack.map((f) => f.kind), ["o"]);
  assert.equal(root.stack[0].state, "key");
  assert.deepEqual(root.stack[0].keys, ["name"]);
  assert.deepEqual(Object.keys(containerSchema(SCHEMA, root.stack).properties), ["name", "aggregation", "items"]);

  const nested = at('{"aggregation": {"|"}}');
  assert.deepEqual(Object.keys(containerSchema(SCHEMA, nested.stack).properties), ["type"]);

  const inArray = at('{"items": [{"sku": "a"}, {|}]}');
  assert.equal(inArray.string, null);
  assert.deepEqual(Object.keys(containerSchema(SCHEMA, inArray.stack).properties), ["sku"]);
});

test("a value position gives the value's schema", () => {
  const value = at('{"aggregation": {"type": "s|"}}');
  assert.equal(value.stack.at(-1).state, "value");
  assert.deepEqual(valueSchema(SCHEMA, value.stack).enum, ["sum", "max"]);
  const unfinished = at('{"aggregation": {"type": |');
  assert.deepEqual(valueSchema(SCHEMA, unfinished.stack).enum, ["sum", "max"]);
  assert.equal(valueSchema(SCHEMA, at('{"nope": {"type": "|"}}').stack), null);
});

test("strings with escapes, braces and colons inside do not confuse the scan", () => {
  const c = at('{"name": "a \\" { [ : ,", "aggregation": {"|"}}');
  assert.deepEqual(c.stack.map((f) => f.key), ["aggregation", null]);
  assert.deepEqual(keysAfter('{"a": 1, "b": {"c": 2}, "d": [3]}', 1), ["a", "b", "d"]);
});

test("jsonError finds the place and agrees with JSON.parse", () => {
  assert.equal(jsonError('{\n  "name": "x",\n  "unit": \n}').pos, 28);
  assert.equal(jsonError('{"a": 1,}').pos, 8);
  assert.equal(jsonError("[1 2]").pos, 3);
  assert.equal(jsonError('{"a": "{{x}}", "b": {{ count }}, "c": [{{tag}}]}'), null);
  assert.notEqual(jsonError('{"a": {{x}, "b": 1}'), null);
  assert.notEqual(jsonError('{"{{x}}": 1, {{y}}: 2}'), null); // not in a key's place

  // Random texts over JSON's alphabet: valid exactly when JSON.parse says so.
  const pieces = ["{", "}", "[", "]", ",", ":", '"a"', '"b\\n"', '"\\u00e9"', '"\\x"', "1", "-0.5",
    "1e3", "01", "-", "true", "fals", "null", " ", "\n", '"', "\\"];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let n = 0; n < 20000; n++) {
    let text = "";
    const length = 1 + Math.floor(random() * 10);
    for (let k = 0; k < length; k++) text += pieces[Math.floor(random() * pieces.length)];
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    const problem = jsonError(text);
    assert.equal(problem === null, parses, `${JSON.stringify(text)}: ${problem && problem.message}`);
    if (problem) assert.ok(problem.pos >= 0 && problem.pos <= text.length);
  }
});

test("reindentJson keeps literals and placeholders as written", () => {
  assert.equal(reindentJson('{"a":12345678901234567890,"b":[],"c":{}}'), '{\n  "a": 12345678901234567890,\n  "b": [],\n  "c": {}\n}');
  assert.equal(reindentJson('{"n":{{ count }}}'), '{\n  "n": {{ count }}\n}');
  assert.equal(reindentJson('["a , b", "{x}"]'), '[\n  "a , b",\n  "{x}"\n]');
});
