/** `webcard --version` and `--help` must load neither PC/SC nor the web server (issue 8). */
import { test, expect, afterAll } from "bun:test";
import { resolve } from "node:path";
import { tempTrees } from "../harness/temp-tree.ts";
import { startupGraph } from "../../scripts/build/startup-graph.ts";

const ROOT = resolve(import.meta.dir, "../..");
const { tree, remove } = tempTrees("webcard-graph-");
afterAll(remove);


test("webcard's start-up loads no bun:ffi, src/ffi, src/web or hono through static imports", () => {
  const graph = startupGraph(ROOT);
  expect(graph.modules).toContain("src/cli.ts");
  expect(graph.modules).toContain("src/cli/version.ts");
  expect(graph.modules).toContain("cac");
  expect(graph.offenders).toEqual([]);
});

test("a static import of the web layer is reported with its chain", () => {
  const root = tree({
    "src/cli.ts": `#!/usr/bin/env bun\nimport { a } from "./cli/a.ts";\nimport type { X } from "./ffi/types.ts";\nconsole.log(a);\n`,
    "src/cli/a.ts": `import { app } from "../web/app.ts";\nexport const a = app;\n`,
    "src/web/app.ts": `import { Hono } from "hono";\nexport const app = new Hono();\n`,
    "src/ffi/types.ts": `export interface X { x: number }\n`,
  });
  const graph = startupGraph(root);
  expect(graph.offenders).toEqual(["src/cli.ts -> src/cli/a.ts -> src/web/app.ts"]);
  expect(graph.modules).toContain("hono");
  expect(graph.modules).not.toContain("src/ffi/types.ts");
});

test("dynamic imports are not start-up", () => {
  const root = tree({
    "src/cli.ts": `const run = async () => { const { open } = await import("./ffi/pcsc.ts"); open(); };\nvoid run;\n`,
    "src/ffi/pcsc.ts": `import { dlopen } from "bun:ffi";\nexport const open = () => dlopen;\n`,
  });
  const graph = startupGraph(root);
  expect(graph.modules).toEqual(["src/cli.ts"]);
  expect(graph.offenders).toEqual([]);
});
