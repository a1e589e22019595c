/**
 * What the build must find by reading src/: Worker entry points (and that
 * they resolve inside the binary), and dashboard assets that are imported.
 * One compile of a tiny program proves a worker runs in the executable.
 */
import { test, expect, afterAll } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { tempTrees } from "../harness/temp-tree.ts";
import { checkSources } from "../../scripts/build/source-checks.ts";
import { compile } from "../../scripts/build/compile.ts";
import { hostTarget } from "../../scripts/build/targets.ts";

const { tree, remove } = tempTrees("webcard-sources-");
afterAll(remove);


const WORKER = `declare var self: Worker;\nself.onmessage = (e: MessageEvent) => postMessage("pong " + e.data);\n`;
const CALLER = `export function ping(): Promise<string> {
  const w = new Worker(new URL("./worker.ts", import.meta.url));
  return new Promise((ok, ko) => {
    w.onmessage = (e) => { ok(String(e.data)); w.terminate(); };
    w.onerror = (e) => ko(new Error(e.message));
    w.postMessage("hi");
  });
}
`;

test("src/ffi/worker.ts and every literal Worker URL become entry points", () => {
  const root = tree({
    "src/cli.ts": `console.log(1);\n`,
    "src/ffi/worker.ts": WORKER,
    "src/card/pool.ts": `export const w = () => new Worker(new URL("./card-worker.ts", import.meta.url));\n`,
    "src/card/card-worker.ts": WORKER,
  });
  const report = checkSources(root);
  expect(report.errors).toEqual([]);
  expect(report.workers.map((w) => w.slice(root.length + 1)).sort()).toEqual(["src/card/card-worker.ts", "src/ffi/worker.ts"]);
});

test("a Worker URL that would not resolve inside the binary is refused", () => {
  const root = tree({
    "src/cli.ts": `console.log(1);\n`,
    "src/ffi/worker.ts": WORKER,
    "src/host/x.ts": `export const w = () => new Worker(new URL("../ffi/worker.ts", import.meta.url));\n`,
    "src/host/y.ts": `export const w = () => new Worker(new URL("./gone.ts", import.meta.url));\n`,
  });
  const errors = checkSources(root).errors.join("\n");
  expect(errors).toContain(`src/host/x.ts: Worker URL ../ffi/worker.ts must be "./worker.ts"`);
  expect(errors).toContain("src/host/y.ts: Worker file ./gone.ts does not exist");
});

test("a dashboard asset no module imports is refused; an imported one passes", () => {
  const root = tree({
    "src/cli.ts": `console.log(1);\n`,
    "src/web/page.ts": `import css from "./assets/style.css" with { type: "text" };\nexport const page = css;\n`,
    "src/web/assets/style.css": `body { margin: 0 }\n`,
    "src/web/assets/logo.svg": `<svg xmlns="http://www.w3.org/2000/svg"/>\n`,
  });
  const errors = checkSources(root).errors;
  expect(errors.length).toBe(1);
  expect(errors[0]).toStartWith("src/web/assets/logo.svg is not imported");
});

test.if(hostTarget() !== undefined)("a worker beside its caller runs inside the compiled executable", async () => {
  const root = tree({
    "src/cli.ts": `const { ping } = await import("./ffi/pcsc.ts");\nconsole.log(await ping());\n`,
    "src/ffi/pcsc.ts": CALLER,
    "src/ffi/worker.ts": WORKER,
  });
  const report = checkSources(root);
  const outfile = join(root, "alone", "app");
  mkdirSync(dirname(outfile));
  await compile({ target: hostTarget()!, outfile, entrypoints: [join(root, "src/cli.ts"), ...report.workers], commit: "" });
  rmSync(join(root, "src"), { recursive: true });
  const r = Bun.spawnSync([outfile], { cwd: tmpdir(), stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  expect({ code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }).toMatchObject({ code: 0, out: "pong hi\n" });
});

test("a Worker URL kept in a constant is found too", () => {
  const root = tree({
    "src/cli.ts": `console.log(1);\n`,
    "src/ffi/thread.ts": `const URL_ = new URL("./pcsc-worker.ts", import.meta.url).href;\nexport const w = () => new Worker(URL_);\n`,
    "src/ffi/pcsc-worker.ts": WORKER,
  });
  const report = checkSources(root);
  expect(report.errors).toEqual([]);
  expect(report.warnings).toEqual([]);
  expect(report.workers.map((w) => w.slice(root.length + 1))).toEqual(["src/ffi/pcsc-worker.ts"]);
});
