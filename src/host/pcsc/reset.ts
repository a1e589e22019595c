/**
 * Another program resetting or powering down the card under an open handle.
 * pcsc-lite tells each handle once, SCARD_W_RESET_CARD on its next call; a
 * card still down after another program's SCARD_UNPOWER_CARD answers
 * SCARD_W_UNPOWERED_CARD, and one powered up again by someone else's connect
 * has no protocol for the old handle (SCARD_E_PROTO_MISMATCH). pyscard
 * disconnects with SCARD_UNPOWER_CARD by default, so a script polling the
 * card in a loop does this every round.
 */
import { CODE, PcscError } from "../../ffi/pcsc-error.ts";

/** How long a call is tried again while another program keeps resetting the card, and the pause between tries. */
const SETTLE_MS = 2_000;
const PAUSE_MS = 10;

/** Whether `error` says the card was reset or powered down by another program since this handle's last call. */
export function isReset(error: unknown): boolean {
  if (!(error instanceof PcscError)) return false;
  return error.code === CODE.SCARD_W_RESET_CARD || error.code === CODE.SCARD_W_UNPOWERED_CARD || error.code === CODE.SCARD_E_PROTO_MISMATCH;
}

/**
 * Run `attempt` (its try number from 0) again while it fails with a reset,
 * for at most 2 s (or `limitMs`); the last failure is thrown as it came.
 */
export async function retryWhileReset<T>(attempt: (n: number) => Promise<T>, limitMs: number): Promise<T> {
  const deadline = performance.now() + Math.min(SETTLE_MS, limitMs);
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!isReset(e) || performance.now() >= deadline) throw e;
      await Bun.sleep(PAUSE_MS);
    }
  }
}
