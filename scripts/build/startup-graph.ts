/**
 * What `webcard --version` and `--help` load: the modules reachable from
 * src/cli.ts through static imports only (dynamic `import()` runs on demand,
 * and the bundler keeps it lazy inside the binary). Heavy modules there slow
 * every start-up and may open the PC/SC library.
 */
import { join } from "node:path";

/** Modules start-up must not load: the PC/SC binding and the web server. */
const HEAVY = /^(bun:ffi$|node_modules\/hono\/|src\/ffi\/|src\/web\/)/;

export interface StartupGraph {
  /** Every module loaded at start-up, as paths relative to the project root. */
  modules: string[];
  /** The first heavy module on each path, with the chain of imports that pulls it in. */
  offenders: string[];
}

/** Bundle src/cli.ts (no output written) and walk its static import graph. */
export async function startupGraph(root: string): Promise<StartupGraph> {
  const result = await Bun.build({ entrypoints: [join(root, "src", "cli.ts")], target: "bun", metafile: true, throw: false });
  if (!result.success || !result.metafile) {
    const why = result.logs.filter((l) => l.level === "error").map((l) => l.message).join("; ");
    throw new Error(`Bundling src/cli.ts for the start-up check failed: ${why || "no message"}`);
  }
  const inputs = result.metafile.inputs;
  const via = new Map<string, string>([["src/cli.ts", ""]]);
  const queue = ["src/cli.ts"];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const imp of inputs[file]?.imports ?? []) {
      if (imp.kind === "dynamic-import" || via.has(imp.path)) continue;
      via.set(imp.path, file);
      queue.push(imp.path);
    }
  }
  const chain = (file: string): string => {
    const parts = [file];
    for (let f = via.get(file); f; f = via.get(f)) parts.unshift(f);
    return parts.join(" -> ");
  };
  const modules = [...via.keys()].sort();
  return { modules, offenders: modules.filter((m) => HEAVY.test(m) && !HEAVY.test(via.get(m) ?? "")).map(chain) };
}
