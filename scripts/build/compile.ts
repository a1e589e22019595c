/**
 * One `bun build --compile` for one target: the CLI entry point plus every
 * Worker entry point, code split into lazily loaded chunks and compiled to
 * bytecode, the commit stamped in with a define, and the run-time
 * loading of .env and bunfig.toml from the user's folder switched off so the
 * binary behaves the same wherever it is started.
 */
import { rmSync } from "node:fs";
import type { Target } from "./targets.ts";
import { bundleClient } from "../../src/web/assets/client.ts";

export interface CompileRequest {
  target: Target;
  /** Absolute path of the executable to write. */
  outfile: string;
  /** The CLI entry point first, then Worker entry points. */
  entrypoints: string[];
  /** Commit for `WEBCARD_COMMIT` (src/cli/version.ts), "" for none. */
  commit: string;
  /** A Bun runtime binary for the target, instead of Bun's own download. */
  executablePath?: string;
}

/** The text of a failed build's messages, one line each. */
function describeLogs(logs: readonly (BuildMessage | ResolveMessage)[]): string {
  return logs
    .filter((l) => l.level === "error")
    .map((l) => (l.position ? `${l.position.file}:${l.position.line}: ${l.message}` : l.message))
    .join("; ");
}

/** Compile the executable; throws with the compiler's messages on failure. */
export async function compile(req: CompileRequest): Promise<void> {
  let result: Awaited<ReturnType<typeof Bun.build>>;
  try {
    result = await Bun.build({
      entrypoints: req.entrypoints,
      compile: {
        target: req.target.bunTarget,
        outfile: req.outfile,
        ...(req.executablePath ? { executablePath: req.executablePath } : {}),
        autoloadDotenv: false,
        autoloadBunfig: false,
      },
      // Entry points sit flat at the root of the binary's file system, where
      // `new URL("./worker.ts", import.meta.url)` resolves from any module
      // (inside the binary import.meta.url is the bundle's own URL).
      naming: { entry: "[name].[ext]" },
      // The dashboard's browser script, bundled from src/web/client/ (src/web/assets/client.ts).
      define: { WEBCARD_COMMIT: JSON.stringify(req.commit), WEBCARD_CLIENT_JS: JSON.stringify(await bundleClient()) },
      // Start-up: with one bundle, JavaScriptCore parses every lazily imported
      // module (hono, the card, PC/SC) on each run, ~30 ms for --version here.
      // Split chunks are parsed only when imported, and bytecode skips parsing:
      // together ~11 ms (bench/startup.ts; an empty program takes ~4.5 ms).
      format: "esm",
      splitting: true,
      bytecode: true,
      minify: { syntax: true, whitespace: true },
      // Embedded in the executable (stack traces with --debug show src/ lines);
      // Bun also writes a copy beside it, removed below.
      sourcemap: "linked",
      throw: false,
    });
  } catch (error) {
    const logs = error instanceof AggregateError ? describeLogs(error.errors as BuildMessage[]) : "";
    throw new Error(`Compiling for ${req.target.name} failed: ${logs || (error instanceof Error ? error.message : String(error))}`, { cause: error });
  }
  if (!result.success) {
    throw new Error(`Compiling for ${req.target.name} failed: ${describeLogs(result.logs) || "no message from the compiler"}`);
  }
  for (const out of result.outputs) if (out.kind === "sourcemap") rmSync(out.path, { force: true });
}
