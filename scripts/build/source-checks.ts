/**
 * What the compiler cannot see by itself, found by reading src/:
 * - Worker entry points. `bun build --compile` bundles only what is imported;
 *   a Worker's file must be named as an extra entry point, or the compiled
 *   program's Worker silently never runs (REFERENCE.md section 8).
 * - Dashboard assets. A file under src/web/ reaches the binary only when it is
 *   imported with an import attribute (`with { type: "text" }` or `"file"`);
 *   one read from disk at run time is missing from the binary.
 * - Run-time reads relative to the source tree (`import.meta.dir`), which
 *   point inside the binary's embedded file system after compiling.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";

export interface SourceReport {
  /** Absolute paths of Worker entry points to add to the build. */
  workers: string[];
  /** Problems that would break the binary: the build stops. */
  errors: string[];
  /** Things worth a look that may be fine. */
  warnings: string[];
}

const CODE = /\.(tsx?|jsx?|mjs)$/;
const NOT_ASSET = /\.(tsx?|jsx?|mjs|md)$/;
/** A module URL built beside the caller: `new URL("./x.ts", import.meta.url)`. */
const MODULE_URL = /new\s+URL\(\s*["'`]([^"'`]+\.(?:tsx?|jsx?|mjs))["'`]\s*,\s*import\.meta\.url\s*\)/g;
/** `new Worker("./x.ts")`: a bare string, resolved against the working directory when not compiled. */
const WORKER_STRING = /new\s+Worker\(\s*["'`]([^"'`]+)["'`]/g;
const WORKER_ANY = /new\s+Worker\s*\(/;
const SPECIFIER = /(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g;
const RUNTIME_READ = /import\.meta\.(dir|dirname|path|filename)\b|__dirname|__filename/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function isTest(file: string): boolean {
  return /\.test\.tsx?$/.test(file);
}

/** Read src/ and report workers, unembedded assets and run-time source reads. */
export function checkSources(root: string): SourceReport {
  const src = join(root, "src");
  const files = walk(src);
  const code = files.filter((f) => CODE.test(f) && !isTest(f));
  const report: SourceReport = { workers: [], errors: [], warnings: [] };
  const workers = new Set<string>();
  const conventional = join(src, "ffi", "worker.ts");
  if (existsSync(conventional)) workers.add(conventional);

  const imported = new Set<string>();
  for (const file of code) {
    const text = readFileSync(file, "utf8");
    const rel = relative(root, file);
    for (const m of text.matchAll(SPECIFIER)) {
      if (m[1]!.startsWith(".")) imported.add(resolve(dirname(file), m[1]!));
    }
    if (WORKER_ANY.test(text)) {
      // A file that starts a Worker: every module URL in it is taken as a
      // worker entry point (the URL may sit in a constant, not in the call).
      const urls = [...text.matchAll(MODULE_URL)].map((m) => ({ spec: m[1]!, bare: false }));
      const strings = [...text.matchAll(WORKER_STRING)].map((m) => ({ spec: m[1]!, bare: true }));
      if (urls.length + strings.length === 0) {
        report.warnings.push(`${rel}: starts a Worker from no literal URL; the build cannot embed its file`);
      }
      for (const { spec, bare } of [...urls, ...strings]) {
        const target = resolve(dirname(file), spec);
        if (!existsSync(target)) {
          report.errors.push(`${rel}: Worker file ${spec} does not exist`);
          continue;
        }
        // Inside the binary every module's import.meta.url is the bundle's own
        // URL at the root of its file system, and worker entry points are placed
        // flat at that root: only "./<name>" beside the caller resolves there.
        if (!bare && spec !== `./${basename(spec)}`) {
          report.errors.push(`${rel}: Worker URL ${spec} must be "./${basename(spec)}" (the worker beside its caller) to resolve in the binary`);
        }
        if (bare) {
          report.warnings.push(`${rel}: new Worker("${spec}") resolves against the working directory when not compiled; prefer new URL("./${basename(spec)}", import.meta.url)`);
        }
        workers.add(target);
      }
    }
    if (RUNTIME_READ.test(text)) {
      report.warnings.push(`${rel}: reads relative to its own source path at run time; in the binary that path is inside the embedded file system`);
    }
  }

  const names = new Map<string, string>();
  for (const w of workers) {
    const name = basename(w).replace(/\.[^.]+$/, "");
    const clash = names.get(name);
    if (clash) report.errors.push(`Worker files ${relative(root, clash)} and ${relative(root, w)} share the name '${name}'; rename one`);
    names.set(name, w);
  }
  report.workers = [...workers];

  for (const asset of walk(join(src, "web")).filter((f) => !NOT_ASSET.test(f))) {
    if (!imported.has(asset)) {
      report.errors.push(`${relative(root, asset)} is not imported, so the binary would not hold it: import it with \`with { type: "text" }\` (or "file")`);
    }
  }
  return report;
}
