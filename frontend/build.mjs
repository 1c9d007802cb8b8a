// Builds static/vendor/codemirror/editor.js (one minified ES module: CodeMirror 6 and the
// console's editor glue, src/editor.js) and LICENSES.txt beside it (the licence of every
// package inside the bundle). Run through `make editor` (npm ci, then this).
//
// Reproducible: the same package-lock.json gives byte-identical files. esbuild's output
// depends only on its version and inputs; no timestamps, no absolute paths, no source
// map; the licence list is sorted. tests/explorer/test_body_editor_bundle.py rebuilds and compares.
import { build } from "esbuild";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, "..", "static", "vendor", "codemirror");

const result = await build({
  absWorkingDir: here,
  entryPoints: ["src/editor.js"],
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: true,
  legalComments: "none",
  charset: "utf8",
  metafile: true,
  write: false,
  logLevel: "warning",
  banner: {
    js: "/*! The console's JSON body editor: CodeMirror 6 (MIT) and frontend/src/editor.js. Built by frontend/build.mjs; licences in LICENSES.txt. */",
  },
});

/** The package a bundled input file belongs to ("@codemirror/view", "style-mod"). */
function packageOf(input) {
  const parts = input.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at === -1) return null;
  const name = parts[at + 1];
  return name.startsWith("@") ? `${name}/${parts[at + 2]}` : name;
}

const names = [...new Set(Object.keys(result.metafile.inputs).map(packageOf).filter(Boolean))].sort();
const sections = [];
for (const name of names) {
  const dir = path.join(here, "node_modules", name);
  const meta = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
  const file = (await readdir(dir)).filter((f) => /^licen[cs]e/i.test(f)).sort()[0];
  const text = file ? (await readFile(path.join(dir, file), "utf8")).trim() : `License: ${meta.license}`;
  sections.push(`${name} ${meta.version} (${meta.license})\n${"-".repeat(60)}\n${text}\n`);
}

await mkdir(outDir, { recursive: true });
await writeFile(path.join(outDir, "editor.js"), result.outputFiles[0].contents);
await writeFile(
  path.join(outDir, "LICENSES.txt"),
  "Third-party code bundled into editor.js (built by frontend/build.mjs from frontend/package-lock.json).\n\n" +
    sections.join("\n"),
);
console.log(`static/vendor/codemirror/editor.js: ${result.outputFiles[0].contents.length} bytes, ${names.length} packages`);
