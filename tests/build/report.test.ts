/** The benchmark page: result validation, tables, sections, the SVG chart, which scripts `npm run bench` runs. */
import { test, expect, afterAll } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markdownTable, renderReport, validate, type BenchResult } from "../../bench/report.ts";
import { renderChart, formatValue } from "../../bench/chart.ts";
import { benchmarkNames } from "../../bench/run.ts";

const temp = mkdtempSync(join(tmpdir(), "webcard-report-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const result = (title: string, chart?: BenchResult["chart"]): BenchResult => ({
  title,
  command: "bun bench/x.ts",
  date: "2026-01-02T03:04:05.000Z",
  machine: "test machine",
  columns: ["case", "ms"],
  rows: [["a|b", 1.234], ["c", 12]],
  notes: ["a note"],
  ...(chart ? { chart } : {}),
});

test("validate accepts the documented shape and names what is wrong otherwise", () => {
  expect(validate(result("ok"))).toEqual([]);
  expect(validate({ ...result("x"), rows: [["only one cell"]] })).toEqual(["every row must have 2 cells"]);
  expect(validate({ ...result("x"), date: 5 })).toEqual(["date must be a string"]);
  expect(validate({ ...result("x"), chart: { title: "t", unit: "u", series: [{ label: "s", values: [{ label: "v" }] }] } })).toHaveLength(1);
});

test("markdown tables escape pipes and right-align number columns", () => {
  expect(markdownTable(["case", "ms"], [["a|b", 1.234], ["c", 12]])).toBe(
    "| case | ms |\n|---|---:|\n| a\\|b | 1.23 |\n| c | 12 |",
  );
});

test("numbers get three significant digits, integers stay whole", () => {
  expect([0.012345, 1.5, 12.345, 123.45, 30, 12345].map(formatValue)).toEqual(["0.0123", "1.50", "12.3", "123", "30", "12,345"]);
});

test("the report orders sections, writes the chart as SVG and embeds it", () => {
  const results = join(temp, "results");
  const docs = join(temp, "docs");
  mkdirSync(results, { recursive: true });
  const chart = { title: "Time", unit: "ms", series: [{ label: "gp", values: [{ label: "small", value: 2 }, { label: "big", value: 9 }] }] };
  writeFileSync(join(results, "startup.json"), JSON.stringify(result("Start-up time")));
  writeFileSync(join(results, "load.json"), JSON.stringify(result("Install time", chart)));
  expect(renderReport(results, docs)).toEqual(["load", "startup"]);
  const md = readFileSync(join(docs, "benchmarks.md"), "utf8");
  expect(md.indexOf("## Install time")).toBeLessThan(md.indexOf("## Start-up time"));
  expect(md).toContain("![Time](load.svg)");
  expect(md).toContain("- [Start-up time](#start-up-time)");
  expect(md).toContain("Command: `bun bench/x.ts`");
  expect(existsSync(join(docs, "load.svg"))).toBe(true);
  expect(existsSync(join(docs, "startup.svg"))).toBe(false);
});

test("a malformed result stops the report with its name", () => {
  const results = join(temp, "bad");
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, "broken.json"), JSON.stringify({ title: "x" }));
  expect(() => renderReport(results, join(temp, "bad-docs"))).toThrow("bench/results/broken.json is malformed");
});

test("the chart draws one bar per series and category, log scale over two decades", () => {
  const linear = renderChart({ title: "A <b>", unit: "ms", series: [{ label: "s1", values: [{ label: "x", value: 5 }, { label: "y", value: 10 }] }, { label: "s2", values: [{ label: "x", value: 7 }] }] });
  expect(linear).toStartWith("<svg");
  expect(linear).toContain("A &lt;b&gt;");
  expect(linear.match(/<rect x="\d+(\.\d+)?" y="\d+(\.\d+)?" width="[\d.]+" height="14"/g)).toHaveLength(3);
  expect(linear).not.toContain("log scale");
  const log = renderChart({ title: "B", unit: "ms", series: [{ label: "s", values: [{ label: "x", value: 0.5 }, { label: "y", value: 900 }] }] });
  expect(log).toContain("ms (log scale)");
});

test("npm run bench runs every bench/*.ts script but the runner, report and chart", () => {
  const dir = join(temp, "bench");
  mkdirSync(dir, { recursive: true });
  for (const f of ["run.ts", "report.ts", "chart.ts", "load.ts", "startup.ts", "transmit.ts", "chart.test.ts", "notes.md"]) writeFileSync(join(dir, f), "");
  expect(benchmarkNames(dir)).toEqual(["load", "startup", "transmit"]);
});
