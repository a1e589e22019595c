/**
 * Executables built by scripts/build.ts and copied each alone into an empty
 * folder, as a user who downloaded one would have it. Used by the smoke
 * test of the compiled binaries (the host's, and a foreign Linux one run
 * under QEMU) and by the start-up benchmark.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { binaryName, hostTarget, type Target } from "./targets.ts";

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

export interface BuiltSet {
  /** The temporary folder holding everything below; remove it when done. */
  base: string;
  /** One entry per target name, in the order asked for. */
  binaries: Map<string, HostBinary>;
}

/**
 * Build `targets` with one run of scripts/build.ts into a temporary folder,
 * then copy each executable alone into its own folder with its own HOME.
 */
export function buildBinaries(targets: readonly Target[], extraArgs: string[] = []): BuiltSet {
  if (targets.length === 0) throw new Error("No target to build");
  const base = mkdtempSync(join(tmpdir(), "webcard-build-"));
  const outdir = join(base, "dist");
  const names = targets.map((t) => t.name).join(",");
  const r = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "build.ts"), "--target", names, "--outdir", outdir, ...extraArgs], {
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
  const binaries = new Map<string, HostBinary>();
  for (const target of targets) {
    const dir = join(base, `alone-${target.name}`);
    const home = join(base, `home-${target.name}`);
    mkdirSync(dir);
    mkdirSync(home);
    const bin = join(dir, binaryName(target));
    copyFileSync(join(outdir, binaryName(target)), bin);
    binaries.set(target.name, { bin, dir, home, stamp, buildOutput });
  }
  return { base, binaries };
}

/** Build the host target and copy the binary alone into an empty folder. */
export function buildHostBinary(extraArgs: string[] = []): HostBinary {
  const target = hostTarget();
  if (!target) throw new Error(`No release target for ${process.platform}-${process.arch}`);
  return buildBinaries([target], extraArgs).binaries.get(target.name)!;
}

/** A minimal environment: no Bun, no node_modules, no project variables on the way. */
export function cleanEnv(home: string): Record<string, string> {
  return { HOME: home, PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", TMPDIR: tmpdir(), LANG: "C.UTF-8" };
}
