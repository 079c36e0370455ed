#!/usr/bin/env node
// Native-solc look-alike around solcjs (npm `solc`), so forge can use it as `solc = "tools/solc"`.
// Supports `--version` and `--standard-json` (input on stdin); resolves imports via
// --base-path / --include-path / --allow-paths and the current directory.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require(path.join(__dirname, "..", "..", "node_modules", "solc"));

const args = process.argv.slice(2);
if (args.includes("--version")) {
  const v = solc.version().replace(/\.Emscripten\.clang$/, "");
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}.Linux.g++\n`);
  process.exit(0);
}
const roots = [];
for (let i = 0; i < args.length; i++) {
  const m = /^--(base-path|include-path|allow-paths)(?:=(.*))?$/.exec(args[i]);
  if (m) for (const p of (m[2] ?? args[++i]).split(",")) if (p) roots.push(path.resolve(p));
}
roots.push(process.cwd());
function findImports(p) {
  for (const r of path.isAbsolute(p) ? [""] : roots) {
    const f = path.resolve(r, p);
    if (fs.existsSync(f) && fs.statSync(f).isFile()) return { contents: fs.readFileSync(f, "utf8") };
  }
  return { error: `File not found: ${p}` };
}
if (!args.includes("--standard-json")) {
  process.stderr.write("only --version and --standard-json are supported\n");
  process.exit(1);
}
const input = fs.readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImports }));
