/**
 * Run the robustness suites and collect their count lines:
 *
 *   bun tests/robustness/run.ts            short mode (what `npm test` runs)
 *   bun tests/robustness/run.ts --long     deeper (WEBCARD_LONG=1); records bench/results/robustness.json
 *
 * Each suite prints `robustness <suite>: N tried, P passed, F failed`;
 * the long run writes those counts through bench/report.ts so they survive
 * the regeneration of docs/benchmarks.md.
 */
import { parseArgs } from "node:util";
import { machine, writeResult } from "../../bench/report.ts";
import { ROOT } from "./paths.ts";

const { values } = parseArgs({ options: { long: { type: "boolean" }, record: { type: "boolean" }, seed: { type: "string" } }, strict: true });
const long = values.long === true;
const env = { ...process.env, ...(long ? { WEBCARD_LONG: "1" } : {}), ...(values.seed ? { ROBUSTNESS_SEED: values.seed } : {}) };
const t0 = performance.now();
const proc = Bun.spawn([process.execPath, "test", "--timeout", "900000", "tests/robustness"], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" });
let output = "";
const pump = async (stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream) => {
  const dec = new TextDecoder();
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = dec.decode(value);
    output += text;
    sink.write(text);
  }
};
await Promise.all([pump(proc.stdout as ReadableStream<Uint8Array>, process.stdout), pump(proc.stderr as ReadableStream<Uint8Array>, process.stderr)]);
const code = await proc.exited;
const seconds = Math.round((performance.now() - t0) / 100) / 10;

const rows: (string | number)[][] = [];
const details: string[] = [];
for (const line of output.split("\n")) {
  const m = /^robustness ([\w ]+): (\d+) tried, (\d+) passed, (\d+) failed/.exec(line.trim());
  if (m) rows.push([m[1]!, Number(m[2]), Number(m[3]), Number(m[4])]);
  else if (line.startsWith("robustness ")) details.push(line.trim());
}
process.stdout.write(`\nrobustness: ${rows.length} suite(s) in ${seconds} s, exit ${code}\n`);
if (long || values.record) {
  const path = writeResult("robustness", {
    title: "Robustness suites",
    command: `bun tests/robustness/run.ts${long ? " --long" : ""}${values.seed ? ` --seed ${values.seed}` : ""}`,
    date: new Date().toISOString(),
    machine: machine(),
    columns: ["suite", "cases tried", "passed", "failed"],
    rows,
    notes: [
      `${long ? "Long" : "Short"} mode, seed ${values.seed ?? "default"}, ${seconds} s in all, bun test exit code ${code}. What each suite does: docs/robustness.md.`,
      ...details,
    ],
  });
  process.stdout.write(`wrote ${path}\n`);
}
process.exit(code);
