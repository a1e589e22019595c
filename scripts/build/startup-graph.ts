/**
 * What `webcard --version` and `--help` load: the modules reachable from
 * src/cli.ts through static imports only. A dynamic `import()` runs when an
 * action needs it, and the bundler keeps it lazy inside the binary; type-only
 * imports vanish. Heavy modules on the static graph slow every start-up and
 * may open the PC/SC library.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** Modules start-up must not load: the PC/SC binding and the web server. */
const HEAVY = /^(bun:ffi|hono(\/.*)?|src\/ffi\/.*|src\/web\/.*)$/;

export interface StartupGraph {
  /** Every module loaded at start-up: project files relative to the root, packages by specifier. */
  modules: string[];
  /** The first heavy module on each path, with the chain of imports that pulls it in. */
  offenders: string[];
  /** Static imports that name a file that does not exist. */
  missing: string[];
}

const transpilers = {
  ts: new Bun.Transpiler({ loader: "ts" }),
  tsx: new Bun.Transpiler({ loader: "tsx" }),
};

/** Walk the static import graph of src/cli.ts by reading the sources. */
export function startupGraph(root: string): StartupGraph {
  const entry = "src/cli.ts";
  const via = new Map<string, string>([[entry, ""]]);
  const missing: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    // The transpiler refuses a shebang line; blank it (keeps line numbers).
    const source = readFileSync(join(root, file), "utf8").replace(/^#!.*/, "");
    const imports = transpilers[file.endsWith(".tsx") ? "tsx" : "ts"].scanImports(source);
    for (const imp of imports) {
      if (imp.kind === "dynamic-import") continue;
      let id = imp.path;
      if (id.startsWith(".")) {
        const abs = resolve(dirname(join(root, file)), id);
        id = relative(root, abs);
        if (!existsSync(abs)) {
          missing.push(`${file}: ${imp.path}`);
          continue;
        }
      }
      if (via.has(id)) continue;
      via.set(id, file);
      if (/^src\/.*\.tsx?$/.test(id)) queue.push(id);
    }
  }
  const chain = (file: string): string => {
    const parts = [file];
    for (let f = via.get(file); f; f = via.get(f)) parts.unshift(f);
    return parts.join(" -> ");
  };
  const modules = [...via.keys()].sort();
  const offenders = modules.filter((m) => HEAVY.test(m) && !HEAVY.test(via.get(m) ?? "")).map(chain);
  return { modules, offenders, missing };
}
