/**
 * Build the release executables: `bun scripts/build.ts [--target linux-x64,...]
 * [--outdir dist] [--commit id] [--npm-runtimes]`.
 *
 * One `bun build --compile` per target into `<outdir>/webcard-<target>[.exe]`,
 * then `SHA256SUMS` for the files of this run and a table of what was made.
 * Cross-target runtimes come from the npm registry: Bun downloads
 * `@oven/bun-<platform>` itself, and when that fails (or with --npm-runtimes)
 * the build packs it with npm and passes its binary to the compiler.
 * See scripts/README.md for what the source must do to end up in the binary.
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { TARGETS, binaryName, hostTarget, selectTargets, type Target } from "./build/targets.ts";
import { packedRuntime, runtimeCacheDir } from "./build/runtime.ts";
import { compile } from "./build/compile.ts";
import { checkSources } from "./build/source-checks.ts";
import { startupGraph } from "./build/startup-graph.ts";
import { expectedFormat, formatOf } from "./build/binary-format.ts";
import { sha256File, sha256sums } from "./build/checksums.ts";
import { checkCommit, gitCommit, packageVersion } from "./build/version.ts";
import { runnerFor } from "./build/emulation.ts";

const ROOT = resolve(import.meta.dir, "..");

const USAGE = `Usage: bun scripts/build.ts [options]

  --target <list>   Comma-separated targets (default: all): ${TARGETS.map((t) => t.name).join(", ")}, host
  --outdir <dir>    Where the executables and SHA256SUMS go (default: dist)
  --commit <id>     Commit to stamp in (default: git HEAD, "-dirty" if changed)
  --npm-runtimes    Take cross-target runtimes from \`npm pack\` instead of Bun's own download
  --no-run          Do not run the built binaries' --version (scripts/reproduce.ts compares bytes only)
  -h, --help        This text`;

interface Built {
  target: Target;
  path: string;
  size: number;
  sha256: string;
  format: string;
  seconds: number;
  runtime: string;
  ran: string;
}

function fail(message: string): never {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

const { values: args } = parseArgs({
  options: {
    target: { type: "string" },
    outdir: { type: "string", default: "dist" },
    commit: { type: "string" },
    "npm-runtimes": { type: "boolean", default: false },
    "no-run": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});
if (args.help) {
  process.stdout.write(USAGE + "\n");
  process.exit(0);
}

let targets: Target[];
let commit: string;
try {
  targets = selectTargets(args.target);
  commit = checkCommit(args.commit ?? process.env.WEBCARD_COMMIT ?? gitCommit(ROOT));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const outdir = resolve(args.outdir);
/** A path as the user typed it would look: relative under the working directory, else absolute. */
const shown = (p: string) => (p.startsWith(process.cwd() + "/") ? relative(process.cwd(), p) : p);
const version = packageVersion(ROOT);
const stamp = commit ? `${version}+${commit}` : version;
const host = hostTarget();

// What the compiler cannot see: workers, assets, start-up weight.
const sources = checkSources(ROOT);
for (const w of sources.warnings) process.stderr.write(`build: warning: ${w}\n`);
if (sources.errors.length > 0) fail(sources.errors.join("\n  "));
const graph = startupGraph(ROOT);
for (const o of graph.offenders) {
  process.stderr.write(`build: warning: --version and --help load ${o.split(" -> ").at(-1)} (${o}); import it lazily in the action\n`);
}

const entrypoints = [join(ROOT, "src", "cli.ts"), ...sources.workers];
process.stdout.write(
  `webcard ${stamp}: ${targets.length} target(s) into ${shown(outdir)}` +
    (sources.workers.length ? `, workers: ${sources.workers.map((w) => relative(ROOT, w)).join(", ")}` : "") +
    "\n",
);
mkdirSync(outdir, { recursive: true });

/** Compile one target, falling back to an npm-packed runtime for cross targets. */
async function buildOne(target: Target): Promise<Built> {
  const outfile = join(outdir, binaryName(target));
  const started = performance.now();
  const isHost = target.name === host?.name;
  const packed = () => packedRuntime(target, Bun.version, runtimeCacheDir(ROOT));
  let runtime = isHost ? "this bun" : "bun download";
  if (!isHost && args["npm-runtimes"]) {
    await compile({ target, outfile, entrypoints, commit, executablePath: packed() });
    runtime = "npm pack";
  } else {
    try {
      await compile({ target, outfile, entrypoints, commit });
    } catch (error) {
      if (isHost) throw error;
      process.stderr.write(`build: ${target.name}: ${(error as Error).message}; retrying with npm pack ${target.runtimePackage}@${Bun.version}\n`);
      await compile({ target, outfile, entrypoints, commit, executablePath: packed() });
      runtime = "npm pack";
    }
  }
  const format = await formatOf(outfile);
  if (format !== expectedFormat(target)) {
    throw new Error(`${binaryName(target)} is ${format}, expected ${expectedFormat(target)}`);
  }
  // Every binary that runs here (the host's natively, the other Linux
  // architecture's under QEMU when installed): check the stamped version end to end.
  const runner = args["no-run"] ? undefined : runnerFor(target).runner;
  if (runner) {
    const r = Bun.spawnSync([...runner.prefix, outfile, "--version"], { stdout: "pipe", stderr: "pipe", env: {} });
    const printed = r.stdout.toString().trim();
    if (r.exitCode !== 0 || printed !== `webcard ${stamp}`) {
      throw new Error(`${binaryName(target)} --version (${runner.via}) printed '${printed}' (exit ${r.exitCode}), expected 'webcard ${stamp}'`);
    }
  }
  return {
    target,
    path: outfile,
    size: statSync(outfile).size,
    sha256: await sha256File(outfile),
    format,
    seconds: (performance.now() - started) / 1000,
    runtime,
    ran: runner ? `--version (${runner.via})` : "-",
  };
}

const built: Built[] = [];
for (const target of targets) {
  try {
    built.push(await buildOne(target));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}
writeFileSync(join(outdir, "SHA256SUMS"), sha256sums(built));

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
const rows = [
  ["target", "file", "MB", "format", "runtime", "ran here", "s", "sha256"],
  ...built.map((b) => [b.target.name, binaryName(b.target), mb(b.size), b.format, b.runtime, b.ran, b.seconds.toFixed(1), b.sha256]),
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows) process.stdout.write(row.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd() + "\n");
process.stdout.write(`SHA256SUMS: ${built.length} file(s), ${shown(join(outdir, "SHA256SUMS"))}\n`);
