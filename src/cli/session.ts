/**
 * Run a command against the target card, with or without an authenticated
 * GlobalPlatform session, closing the card whatever happens.
 */
import { SecurityError } from "../stack/errors.ts";
import { inTransaction } from "../stack/transport/transport.ts";
import { openGpSession } from "../host/gp/connect.ts";
import type { GpSession } from "../host/gp/session.ts";
import type { Context } from "./context.ts";
import type { KeyFlags } from "./options.ts";
import { connectOptionsFrom, scpFrom, type ConnectOptions, type KeySource } from "./option-values.ts";
import { openTarget, type Target } from "./target.ts";

/** Open the target named by the flags, run `fn`, close the target. */
export async function withTarget<T>(ctx: Context, flags: KeyFlags, fn: (target: Target) => Promise<T>): Promise<T> {
  const scp = scpFrom(flags.scp);
  const target = await openTarget({
    ...(scp ? { simScp: scp } : {}),
    ...(flags.sim === undefined ? {} : { sim: flags.sim }),
    ...(flags.javaCard === undefined ? {} : { javaCard: flags.javaCard }),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
    ...(flags.reader === undefined ? {} : { reader: flags.reader }),
    ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }),
    ...(flags.channel === undefined ? {} : { channel: flags.channel }),
    trace: ctx.trace,
    traceSink: ctx.err,
  });
  try {
    // The whole command in one PC/SC transaction: its SELECT, authentication and work reach the card together.
    return await inTransaction(target.transport, "", () => fn(target));
  } finally {
    await target.close();
  }
}

/** A wrong key is said plainly: one attempt only, and why (cards lock after repeated failures). */
export function explainAuthFailure(error: unknown, source: KeySource): unknown {
  if (error instanceof SecurityError && error.message.startsWith("Card cryptogram does not match")) {
    return new SecurityError(
      "Wrong key: the card's cryptogram does not match, so webcard stopped after one attempt (repeated failures can lock the card)",
      { cause: error, hint: `key from ${source}; ${error.hint ?? "check --key and --kdf"}` },
    );
  }
  return error;
}

/**
 * Open the target and an authenticated session (flags give keys, SCP, level, ISD; `options`, when
 * given, were made from them: the LOAD commands' add the block size), run `fn`.
 * Bad options fail before the card (or a simulated card's state file) is opened.
 */
export async function withSession<T>(
  ctx: Context,
  flags: KeyFlags,
  fn: (session: GpSession, target: Target) => Promise<T>,
  options: ConnectOptions = connectOptionsFrom(flags),
): Promise<T> {
  return withTarget(ctx, flags, async (target) => {
    const session = await sessionOn(target, flags, options);
    if (options.kdf === undefined && session.kdf !== undefined && session.kdf !== "none") {
      // Said once: the user may want to name it next time (stack/gp/kdf-choice.ts).
      ctx.err(`Keys diversified with ${session.kdf.toUpperCase()}: found from the card's cryptogram (--kdf ${session.kdf} says so)`);
    }
    return fn(session, target);
  });
}

/** An authenticated session on a target that is already open (flags give keys, SCP, level, ISD). */
export async function sessionOn(target: Target, flags: KeyFlags, options: ConnectOptions = connectOptionsFrom(flags)): Promise<GpSession> {
  try {
    return await openGpSession(target.transport, options);
  } catch (error) {
    throw explainAuthFailure(error, options.keySource);
  }
}
