/**
 * The platforms webcard ships for: the name users see in the file name, the
 * Bun compile target, and the npm package that holds that platform's Bun
 * runtime (what `bun build --compile --target` downloads for a cross build).
 */
export interface Target {
  /** Our name: `webcard-<name>[.exe]`. */
  readonly name: string;
  /** `bun build --compile --target` value. */
  readonly bunTarget: Bun.Build.CompileTarget;
  /** npm package with the runtime binary (`package/bin/bun[.exe]` in its tarball). */
  readonly runtimePackage: string;
  readonly os: "linux" | "darwin" | "windows";
  readonly arch: "x64" | "arm64";
}

/** The five release targets, in the order the build runs them. */
export const TARGETS: readonly Target[] = [
  { name: "linux-x64", bunTarget: "bun-linux-x64", runtimePackage: "@oven/bun-linux-x64", os: "linux", arch: "x64" },
  { name: "linux-arm64", bunTarget: "bun-linux-arm64", runtimePackage: "@oven/bun-linux-aarch64", os: "linux", arch: "arm64" },
  { name: "darwin-x64", bunTarget: "bun-darwin-x64", runtimePackage: "@oven/bun-darwin-x64", os: "darwin", arch: "x64" },
  { name: "darwin-arm64", bunTarget: "bun-darwin-arm64", runtimePackage: "@oven/bun-darwin-aarch64", os: "darwin", arch: "arm64" },
  { name: "windows-x64", bunTarget: "bun-windows-x64", runtimePackage: "@oven/bun-windows-x64", os: "windows", arch: "x64" },
] as const;

/** The file name of a target's executable. */
export function binaryName(target: Target): string {
  return `webcard-${target.name}${target.os === "windows" ? ".exe" : ""}`;
}

/** The target this machine runs, if it is one of ours. */
export function hostTarget(): Target | undefined {
  const os = process.platform === "win32" ? "windows" : process.platform;
  return TARGETS.find((t) => t.os === os && t.arch === process.arch);
}

/** Resolve `--target a,b` names; throws on an unknown name. */
export function selectTargets(list: string | undefined): Target[] {
  if (!list || list === "all") return [...TARGETS];
  return list.split(",").map((raw) => {
    const name = raw.trim() === "host" ? hostTarget()?.name : raw.trim();
    const target = TARGETS.find((t) => t.name === name);
    if (!target) {
      throw new Error(`Unknown target '${raw}': use ${TARGETS.map((t) => t.name).join(", ")}, host or all`);
    }
    return target;
  });
}
