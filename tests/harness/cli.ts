/** Run the CLI as a user does: a subprocess, its output and its exit code. */
import { resolve } from "node:path";

export const CLI = resolve(import.meta.dir, "../../src/cli.ts");

/** `webcard ARGS...` with the test's environment plus `env`; key variables (WEBCARD_KEY, GP_KEY*) are cleared unless given. */
export function webcard(args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (name === "WEBCARD_KEY" || name.startsWith("GP_KEY")) delete base[name];
  const r = Bun.spawnSync([process.execPath, CLI, ...args], {
    env: { ...base, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
