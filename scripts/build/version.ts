/** The version stamped into the binary: package.json's version and the git commit. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** package.json's version. */
export function packageVersion(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") throw new Error("package.json has no version");
  return pkg.version;
}

/**
 * The short commit of HEAD, with "-dirty" when tracked files differ from it,
 * or "" outside a git checkout (the binary then shows the bare version).
 */
export function gitCommit(root: string): string {
  const git = (...args: string[]) => Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  const head = git("rev-parse", "--short=7", "HEAD");
  if (head.exitCode !== 0) return "";
  const status = git("status", "--porcelain", "--untracked-files=no");
  const dirty = status.exitCode === 0 && status.stdout.toString().trim() !== "";
  return head.stdout.toString().trim() + (dirty ? "-dirty" : "");
}

/** Semver build metadata allows [0-9A-Za-z-] in dot-separated identifiers. */
export function checkCommit(commit: string): string {
  if (commit !== "" && !/^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/.test(commit)) {
    throw new Error(`Commit '${commit}' is not valid semver build metadata: use letters, digits, '-' and '.'`);
  }
  return commit;
}
