/**
 * Render docs/benchmarks.md from every bench/results/*.json: one section per
 * result (title, table, chart, notes, machine, date, command); a result's
 * `chart` becomes docs/<name>.svg (bench/chart.ts) shown in its section.
 *
 * Benchmark scripts write their result with `writeResult(name, result)` and
 * describe the machine with `machine()`; `bun bench/report.ts` renders.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem, release } from "node:os";
import { basename, join, resolve } from "node:path";
import { renderChart, formatValue, type Chart } from "./chart.ts";

const ROOT = resolve(import.meta.dir, "..");
export const RESULTS_DIR = join(ROOT, "bench", "results");
const DOCS = join(ROOT, "docs");

/** The shape every benchmark writes to bench/results/<name>.json. */
export interface BenchResult {
  title: string;
  /** How to reproduce it, e.g. "bun bench/startup.ts --runs 30". */
  command: string;
  /** ISO 8601. */
  date: string;
  /** From `machine()`. */
  machine: string;
  columns: string[];
  rows: (string | number)[][];
  notes: string[];
  chart?: Chart;
}

/** One line describing this machine: CPU, cores, memory, OS, Bun. */
export function machine(): string {
  const cpu = cpus()[0]?.model.trim() || process.arch;
  const gib = Math.round(totalmem() / 1024 ** 3);
  return `${cpu}, ${cpus().length} cores, ${gib} GiB, ${process.platform} ${release()} ${process.arch}, Bun ${Bun.version}`;
}

/** Write a result as bench/results/<name>.json (name: kebab-case, becomes the section's anchor and SVG name). */
export function writeResult(name: string, result: BenchResult): string {
  const problems = validate(result);
  if (problems.length > 0) throw new Error(`Result ${name} is malformed: ${problems.join("; ")}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(path, JSON.stringify(result, null, 2) + "\n");
  return path;
}

/** What is wrong with a parsed result, or [] when it has the shape above. */
export function validate(value: unknown): string[] {
  const r = value as Partial<BenchResult>;
  const problems: string[] = [];
  if (typeof r !== "object" || r === null) return ["not an object"];
  for (const key of ["title", "command", "date", "machine"] as const) {
    if (typeof r[key] !== "string") problems.push(`${key} must be a string`);
  }
  if (!Array.isArray(r.columns) || !r.columns.every((c) => typeof c === "string")) problems.push("columns must be strings");
  if (!Array.isArray(r.rows) || !r.rows.every((row) => Array.isArray(row) && row.every((c) => typeof c === "string" || typeof c === "number"))) {
    problems.push("rows must be arrays of strings and numbers");
  } else if (Array.isArray(r.columns) && r.rows.some((row) => row.length !== r.columns!.length)) {
    problems.push(`every row must have ${r.columns.length} cells`);
  }
  if (!Array.isArray(r.notes) || !r.notes.every((n) => typeof n === "string")) problems.push("notes must be strings");
  if (r.chart !== undefined) {
    const c = r.chart;
    const ok =
      typeof c.title === "string" && typeof c.unit === "string" && Array.isArray(c.series) &&
      c.series.every((s) => typeof s.label === "string" && Array.isArray(s.values) &&
        s.values.every((v) => typeof v.label === "string" && typeof v.value === "number"));
    if (!ok) problems.push("chart must be { title, unit, series: { label, values: { label, value }[] }[] }");
  }
  return problems;
}

function cell(value: string | number): string {
  const text = typeof value === "number" ? formatValue(value) : value;
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A markdown table; columns whose cells are all numbers are right-aligned. */
export function markdownTable(columns: string[], rows: (string | number)[][]): string {
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const lines = [
    `| ${columns.map(cell).join(" | ")} |`,
    `|${numeric.map((n) => (n ? "---:" : "---")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
  return lines.join("\n");
}

/** Sections in this order first (the headline results), then the rest by name. */
const ORDER = ["load", "transmit", "startup"];

function rank(name: string): number {
  const i = ORDER.indexOf(name);
  return i === -1 ? ORDER.length : i;
}

/** The markdown of one result's section; `svg` is the chart's file name if it has one. */
export function renderSection(name: string, r: BenchResult, svg?: string): string {
  const parts = [`## ${r.title}`, "", markdownTable(r.columns, r.rows)];
  if (svg) parts.push("", `![${r.chart!.title}](${svg})`);
  if (r.notes.length > 0) parts.push("", ...r.notes.map((n) => `- ${n}`));
  parts.push("", `Machine: ${r.machine}  `, `Date: ${r.date}  `, `Command: \`${r.command}\`  `, `Data: [bench/results/${name}.json](../bench/results/${name}.json)`);
  return parts.join("\n");
}

/** Read every result, write the SVG charts and docs/benchmarks.md; returns the names rendered. */
export function renderReport(resultsDir = RESULTS_DIR, docsDir = DOCS): string[] {
  const names = readdirSync(resultsDir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".json"))
    .map((e) => basename(e.name, ".json"))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  mkdirSync(docsDir, { recursive: true });
  const sections: string[] = [];
  for (const name of names) {
    const parsed: unknown = JSON.parse(readFileSync(join(resultsDir, `${name}.json`), "utf8"));
    const problems = validate(parsed);
    if (problems.length > 0) throw new Error(`bench/results/${name}.json is malformed: ${problems.join("; ")}`);
    const result = parsed as BenchResult;
    let svg: string | undefined;
    if (result.chart) {
      svg = `${name}.svg`;
      writeFileSync(join(docsDir, svg), renderChart(result.chart));
    }
    sections.push(renderSection(name, result, svg));
  }
  const head = [
    "# Benchmarks",
    "",
    "Generated by `npm run bench` (bench/run.ts runs every benchmark, then bench/report.ts",
    "renders this page from `bench/results/*.json`). Do not edit by hand: rerun it.",
    "Times are medians of several runs unless a table says otherwise.",
    "",
    ...names.map((n, i) => `- [${titleOf(sections[i]!)}](#${anchor(titleOf(sections[i]!))})`),
  ];
  writeFileSync(join(docsDir, "benchmarks.md"), [head.join("\n"), ...sections].join("\n\n") + "\n");
  return names;
}

function titleOf(section: string): string {
  return section.slice(3, section.indexOf("\n"));
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchor(title: string): string {
  return title.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

if (import.meta.main) {
  const names = renderReport();
  process.stdout.write(`docs/benchmarks.md: ${names.length} section(s): ${names.join(", ") || "none"}\n`);
}
