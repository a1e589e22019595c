/**
 * The layer rules of DESIGN.md, enforced on every import in src/:
 *   stack  -> stack only; pure (no bun:ffi, no Bun.* I/O, no node:fs/net)
 *   ffi    -> stack
 *   card   -> stack (no FFI: the CLI injects what it needs, e.g. setQuickAck)
 *   host   -> stack, ffi
 *   web    -> stack, host (never ffi or card: it gets transports from its caller)
 *   web/client (browser code, bundled by web/assets/client.ts) -> web/client only:
 *          no package, no node: or bun: module, no Bun.*, and nothing imports it
 *   cli.ts and cli/ -> anything (the wiring layer)
 */
import { test, expect } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../src");

const ALLOWED: Record<string, string[]> = {
  stack: ["stack"],
  ffi: ["stack", "ffi"],
  card: ["stack", "card"],
  host: ["stack", "ffi", "host"],
  web: ["stack", "host", "web"],
  cli: ["stack", "ffi", "card", "host", "web", "cli"],
};

/** Modules a pure layer may not import. */
const IMPURE = /^(bun:ffi|bun:sqlite|node:(fs|net|child_process|worker_threads|os|tls|http|dgram)|fs|net|child_process)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  if (rel === "cli.ts") return "cli";
  return rel.split("/")[0]!;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s+["']([^"']+)["']/g;

export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

const violations: string[] = [];
for (const file of files(SRC)) {
  if (file.endsWith(".test.ts")) continue;
  const layer = layerOf(file);
  const allowed = ALLOWED[layer];
  const rel = relative(SRC, file);
  if (!allowed) {
    violations.push(`${rel}: unknown layer '${layer}'`);
    continue;
  }
  const source = readFileSync(file, "utf8");
  for (const spec of importsOf(source)) {
    if (spec.startsWith(".")) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC)) {
        if (!/package\.json$/.test(target)) violations.push(`${rel}: imports ${spec} from outside src/`);
        continue;
      }
      const targetLayer = layerOf(target);
      if (!allowed.includes(targetLayer)) violations.push(`${rel}: ${layer} must not import ${targetLayer} (${spec})`);
    } else if (layer === "stack" && IMPURE.test(spec)) {
      violations.push(`${rel}: stack must stay pure, imports ${spec}`);
    } else if (spec === "bun:ffi" && layer !== "ffi") {
      violations.push(`${rel}: only src/ffi may import bun:ffi`);
    }
  }
  const browser = rel.startsWith("web/client/");
  for (const spec of importsOf(source)) {
    const target = spec.startsWith(".") ? relative(SRC, resolve(dirname(file), spec)) : undefined;
    if (browser && !target?.startsWith("web/client/")) violations.push(`${rel}: browser code imports ${spec} (only web/client/ files)`);
    if (!browser && target?.startsWith("web/client/")) violations.push(`${rel}: imports browser code ${spec} (it is bundled, never imported)`);
  }
  if (browser && /Bun\.|process\./.test(source)) violations.push(`${rel}: browser code uses Bun or process`);
  // The command line is read once, by the entry point (cli/argv.ts keeps its values as typed).
  if (rel !== "cli.ts" && /\b(process\.argv|Bun\.argv)\b/.test(source)) violations.push(`${rel}: reads the command line (only src/cli.ts may)`);
  if (layer === "stack" && /\bBun\.(spawn|file|write|connect|listen|serve|sleep)\b/.test(source)) {
    violations.push(`${rel}: stack must stay pure, uses Bun I/O`);
  }
}

test("imports follow the layer rules of DESIGN.md", () => {
  expect(violations).toEqual([]);
});

test("the import scanner sees every import form", () => {
  const src = `import { a } from "../host/x.ts";\nimport type { B } from "bun:ffi";\nexport { c } from "./c.ts";\nconst m = await import("../card/sim.ts");\nimport "./side.ts";`;
  expect(importsOf(src)).toEqual(["../host/x.ts", "bun:ffi", "./c.ts", "./side.ts", "../card/sim.ts"].sort((a, b) => src.indexOf(a) - src.indexOf(b)));
});

/** The relative imports of every non-test file under src/, as a graph of paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(SRC)) {
    if (/\.test\.tsx?$/.test(file)) continue;
    const targets = importsOf(readFileSync(file, "utf8"))
      .filter((spec) => spec.startsWith("."))
      .map((spec) => relative(SRC, resolve(dirname(file), spec)))
      .filter((target) => !target.startsWith(".."));
    graph.set(relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

/** Every import circle (strongly connected component of more than one file, or a file importing itself), Tarjan's algorithm. */
export function importCircles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

test("no import circle anywhere under src/ (static, dynamic and type imports alike)", () => {
  expect(importCircles(importGraph())).toEqual([]);
});

test("the circle finder finds a circle of three and ignores a chain", () => {
  const graph = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", ["a.ts", "d.ts"]],
    ["d.ts", []],
  ]);
  expect(importCircles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  expect(importCircles(new Map([["a.ts", ["b.ts"]], ["b.ts", []]]))).toEqual([]);
});
