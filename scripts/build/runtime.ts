/**
 * A target's Bun runtime taken from the npm registry by hand, for when
 * `bun build --compile --target` cannot download it itself: `npm pack` the
 * `@oven/bun-<platform>` package (npm checks the tarball against the
 * registry's integrity hash), unpack it once into a cache, and hand its
 * binary to the compiler as `executablePath`.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, chmodSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Target } from "./targets.ts";

/** Where unpacked runtimes are kept between builds. */
export function runtimeCacheDir(root: string): string {
  return join(root, "node_modules", ".cache", "webcard-build", "runtimes");
}

function run(cmd: string[], cwd: string): string {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    const detail = r.stderr.toString().trim().split("\n").filter((l) => !/npm warn/i.test(l)).slice(-3).join(" / ");
    throw new Error(`${cmd.join(" ")} failed with exit code ${r.exitCode}: ${detail}`);
  }
  return r.stdout.toString();
}

/**
 * The path of the Bun runtime binary for `target` at Bun `version`, packed
 * from npm and unpacked into `cacheDir` on first use.
 */
export function packedRuntime(target: Target, version: string, cacheDir: string): string {
  const base = target.runtimePackage.replace("@oven/", "");
  const dir = join(cacheDir, `${base}-${version}`);
  const exe = join(dir, "bin", target.os === "windows" ? "bun.exe" : "bun");
  if (existsSync(exe)) return exe;

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, `.pack-${base}-`));
  try {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    run([npm, "pack", `${target.runtimePackage}@${version}`, "--silent", "--pack-destination", work], work);
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${target.runtimePackage}@${version} wrote no tarball`);
    run(["tar", "-xzf", tarball], work);
    const unpacked = join(work, "package");
    if (!existsSync(join(unpacked, "bin"))) throw new Error(`${tarball} has no bin/ folder`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(exe)) throw new Error(`${target.runtimePackage}@${version} holds no ${exe.slice(dir.length + 1)}`);
  if (target.os !== "windows") chmodSync(exe, 0o755);
  return exe;
}
