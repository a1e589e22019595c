/**
 * The host's executable, built by scripts/build.ts and copied alone into an
 * empty folder, as a user who downloaded it would have it. Used by the smoke
 * test of the compiled binary and by the start-up benchmark.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { binaryName, hostTarget } from "./targets.ts";

const ROOT = resolve(import.meta.dir, "..", "..");

export interface HostBinary {
  /** Absolute path of the executable, alone in its folder. */
  bin: string;
  /** The folder it sits in (run it from there). */
  dir: string;
  /** A private HOME for it, beside that folder. */
  home: string;
  /** What the build stamped: `<version>+<commit>`. */
  stamp: string;
  /** The build's own output, for diagnostics. */
  buildOutput: string;
}

/** Build the host target into a temporary folder and copy the binary alone into another. */
export function buildHostBinary(extraArgs: string[] = []): HostBinary {
  const target = hostTarget();
  if (!target) throw new Error(`No release target for ${process.platform}-${process.arch}`);
  const base = mkdtempSync(join(tmpdir(), "webcard-build-"));
  const outdir = join(base, "dist");
  const r = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "build.ts"), "--target", target.name, "--outdir", outdir, ...extraArgs], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const buildOutput = r.stdout.toString() + r.stderr.toString();
  const stamp = /^webcard (\S+):/m.exec(buildOutput)?.[1];
  if (r.exitCode !== 0 || !stamp) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`scripts/build.ts failed (exit ${r.exitCode}):\n${buildOutput}`);
  }
  const dir = join(base, "alone");
  const home = join(base, "home");
  mkdirSync(dir);
  mkdirSync(home);
  const bin = join(dir, binaryName(target));
  copyFileSync(join(outdir, binaryName(target)), bin);
  return { bin, dir, home, stamp, buildOutput };
}

/** A minimal environment: no Bun, no node_modules, no project variables on the way. */
export function cleanEnv(home: string): Record<string, string> {
  return { HOME: home, PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", TMPDIR: tmpdir(), LANG: "C.UTF-8" };
}
