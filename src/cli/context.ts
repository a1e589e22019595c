/**
 * What every command action receives: the global flags and the two output
 * streams. Actions return nothing and throw on failure; `run` turns the
 * error into one line and an exit code.
 */
import { errorLine, UsageError, SwError, FormatError } from "../stack/errors.ts";
import type { GlobalFlags } from "./options.ts";

export interface Context {
  readonly json: boolean;
  readonly trace: boolean;
  readonly debug: boolean;
  /** Print a line to stdout. */
  out(line: string): void;
  /** Print a line to stderr (progress, trace, notes). */
  err(line: string): void;
  /** Print a value as JSON to stdout. */
  printJson(value: unknown): void;
  /** Whether stderr is a terminal and progress is wanted (not --quiet): progress bars only then. */
  readonly interactive: boolean;
}

function makeContext(flags: GlobalFlags): Context {
  return {
    json: flags.json === true,
    trace: flags.trace === true,
    debug: flags.debug === true,
    out: (line) => process.stdout.write(line + "\n"),
    err: (line) => process.stderr.write(line + "\n"),
    printJson: (value) => process.stdout.write(JSON.stringify(value, null, 2) + "\n"),
    // --quiet: no progress at all, even on a terminal.
    interactive: process.stderr.isTTY === true && flags.quiet !== true,
  };
}

/** Exit codes of DESIGN.md: 0 success, 1 failure, 2 bad usage. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** Classify an error as usage (2) or failure (1). */
function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT.USAGE;
  if (error instanceof Error && error.name === "CACError") return EXIT.USAGE;
  return EXIT.FAILURE;
}

/** A JSON form of an error for `--json` output. */
function errorJson(error: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { ok: false, error: errorLine(error) };
  if (error instanceof SwError) out.sw = error.swHex;
  if (error instanceof FormatError && error.bytes) out.bytes = error.bytes;
  if (error instanceof Error) out.type = error.name;
  return out;
}

/**
 * Run an action with the context and map failures to one line and an exit
 * code. The stack trace is printed only with --debug.
 */
export async function run(flags: GlobalFlags, action: (ctx: Context) => Promise<void>): Promise<never> {
  const ctx = makeContext(flags);
  try {
    await action(ctx);
    process.exit(EXIT.OK);
  } catch (error) {
    if (ctx.json) ctx.printJson(errorJson(error));
    ctx.err(`webcard: ${errorLine(error)}`);
    if (ctx.debug && error instanceof Error) {
      ctx.err(error.stack ?? "");
      if (error.cause) ctx.err(`cause: ${error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause)}`);
    }
    process.exit(exitCodeOf(error));
  }
}
