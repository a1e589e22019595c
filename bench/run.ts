/**
 * `npm run bench`: run every benchmark script in bench/ (each `bench/<name>.ts`
 * except this runner, the report and the chart), one after the other, each
 * writing bench/results/<name>.json; then render docs/benchmarks.md.
 *
 *   bun bench/run.ts [--only startup,load]
 *
 * A benchmark that fails does not stop the others; the report is rendered
 * from whatever results exist, and the exit code says something failed.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { renderReport } from "./report.ts";

const BENCH = resolve(import.meta.dir);
const NOT_BENCHMARKS = new Set(["run", "report", "chart"]);

/** The benchmark scripts, by name, in alphabetical order. */
export function benchmarkNames(dir = BENCH): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /^[a-z0-9-]+\.ts$/.test(e.name) && !e.name.endsWith(".test.ts"))
    .map((e) => e.name.slice(0, -3))
    .filter((n) => !NOT_BENCHMARKS.has(n))
    .sort();
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { only: { type: "string" } }, strict: true });
  const only = values.only?.split(",").map((n) => n.trim());
  const unknown = only?.filter((n) => !benchmarkNames().includes(n)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`bench: no benchmark ${unknown.join(", ")} (have: ${benchmarkNames().join(", ")})
`);
    process.exit(2);
  }

  const names = benchmarkNames().filter((n) => !only || only.includes(n));
  const failed: string[] = [];
  for (const name of names) {
    process.stdout.write(`\n== bench/${name}.ts ==\n`);
    const t0 = performance.now();
    const proc = Bun.spawn([process.execPath, join(BENCH, `${name}.ts`)], {
      cwd: resolve(BENCH, ".."),
      stdio: ["inherit", "inherit", "inherit"],
    });
    const code = await proc.exited;
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    process.stdout.write(`== bench/${name}.ts: ${code === 0 ? "done" : `FAILED (exit ${code})`} in ${seconds} s ==\n`);
    if (code !== 0) failed.push(name);
  }
  const rendered = renderReport();
  process.stdout.write(`\ndocs/benchmarks.md: ${rendered.length} section(s): ${rendered.join(", ") || "none"}\n`);
  if (failed.length > 0) {
    process.stderr.write(`bench: ${failed.length} benchmark(s) failed: ${failed.join(", ")}; their sections show the previous results, if any\n`);
    process.exit(1);
  }
}
