/**
 * Check that the release build reproduces: `bun scripts/reproduce.ts
 * [--target list] [--commit rev] [--keep]`.
 *
 * Clones the commit (HEAD by default) twice, into two folders at different
 * paths and depths, gives each a real node_modules (a hard-link copy of this
 * checkout's, so both resolve the same package files through their own
 * paths), runs scripts/build.ts in each, one after the other, and compares:
 * the same SHA256SUMS listing every target, each file matching its line,
 * every binary byte-identical, and the stamp `<version>+<commit>` without
 * "-dirty" (a fresh clone is clean). Exit 0 when all holds, 1 with one line
 * per difference otherwise. scripts/README.md says what used to differ.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { binaryName, selectTargets, type Target } from "./build/targets.ts";
import { compareBuilds } from "./build/compare.ts";
import { packageVersion } from "./build/version.ts";

const ROOT = resolve(import.meta.dir, "..");

function fail(message: string): never {
  process.stderr.write(`reproduce: ${message}\n`);
  process.exit(1);
}

const { values: args } = parseArgs({
  options: {
    target: { type: "string" },
    commit: { type: "string", default: "HEAD" },
    keep: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});
if (args.help) {
  process.stdout.write(`Usage: bun scripts/reproduce.ts [--target <list>] [--commit <rev>] [--keep]

  Build one commit twice from two fresh clones at different paths and compare the results byte for byte.
  --target <list>   Targets to build (default: all five)
  --commit <rev>    The commit to build (default: HEAD)
  --keep            Keep the temporary clones and builds (their folder is printed)
`);
  process.exit(0);
}

/** Raised inside the temporary folder's lifetime, so that it is removed before exiting. */
class Stop extends Error {}

function git(cwd: string, ...a: string[]): string {
  const r = Bun.spawnSync(["git", ...a], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Stop(`git ${a.join(" ")} failed: ${r.stderr.toString().trim()}`);
  return r.stdout.toString().trim();
}

let targets: Target[];
try {
  targets = selectTargets(args.target);
} catch (error) {
  fail((error as Error).message);
}
let sha: string;
let short: string;
try {
  sha = git(ROOT, "rev-parse", "--verify", `${args.commit}^{commit}`);
  short = git(ROOT, "rev-parse", "--short=7", sha);
} catch (error) {
  fail((error as Error).message);
}
if (!existsSync(join(ROOT, "node_modules"))) fail("node_modules is missing: run npm ci first");
const modules = realpathSync(join(ROOT, "node_modules"));

const base = mkdtempSync(join(tmpdir(), "webcard-reproduce-"));
// Different paths and depths: nothing of the checkout's location may reach the binary.
const trees = [join(base, "a", "webcard"), join(base, "b", "elsewhere", "deeper", "webcard")];
const stamps: string[] = [];
try {
  for (const tree of trees) {
    mkdirSync(resolve(tree, ".."), { recursive: true });
    git(base, "clone", "--quiet", "--no-checkout", ROOT, tree);
    git(tree, "checkout", "--quiet", "--detach", sha);
    // Hard links where the file system allows (fast, no space), a copy otherwise.
    const copy = Bun.spawnSync(["cp", "-al", modules, join(tree, "node_modules")], { stderr: "pipe" });
    if (copy.exitCode !== 0) cpSync(modules, join(tree, "node_modules"), { recursive: true, verbatimSymlinks: true });
    rmSync(join(tree, "node_modules", ".cache"), { recursive: true, force: true });

    const started = performance.now();
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    delete env.WEBCARD_COMMIT;
    // Bytes are what is compared: skip running --version under QEMU where the commit's build knows how.
    const buildScript = join(tree, "scripts", "build.ts");
    const noRun = readFileSync(buildScript, "utf8").includes('"no-run"') ? ["--no-run"] : [];
    const r = Bun.spawnSync([process.execPath, buildScript, "--target", targets.map((t) => t.name).join(","), "--outdir", join(tree, "dist"), ...noRun], {
      cwd: tree,
      env,
      stdout: "pipe",
      stderr: "pipe",
    });
    const output = r.stdout.toString() + r.stderr.toString();
    if (r.exitCode !== 0) throw new Stop(`the build in ${tree} failed (exit ${r.exitCode}):\n${output}`);
    stamps.push(/^webcard (\S+):/m.exec(output)?.[1] ?? "");
    process.stdout.write(`built ${targets.length} target(s) in ${tree} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }

  const problems: string[] = [];
  const expected = `${packageVersion(trees[0]!)}+${short}`;
  for (const [i, stamp] of stamps.entries()) {
    if (stamp !== expected) problems.push(`build ${i + 1} stamped '${stamp}', expected '${expected}' (a fresh clone is not dirty)`);
  }
  problems.push(...(await compareBuilds(join(trees[0]!, "dist"), join(trees[1]!, "dist"), targets.map(binaryName))));
  if (problems.length > 0) throw new Stop(`commit ${short} does not reproduce:\n  ${problems.join("\n  ")}`);
  process.stdout.write(`reproducible: ${targets.length} file(s) of webcard ${expected} byte-identical in both builds, SHA256SUMS identical and matching\n`);
} catch (error) {
  if (!(error instanceof Stop)) throw error;
  process.stderr.write(`reproduce: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  if (args.keep) process.stdout.write(`kept: ${base}\n`);
  else rmSync(base, { recursive: true, force: true });
}
