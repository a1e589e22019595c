/**
 * A card pulled out mid-command: pcsc-lite first reports a failed exchange
 * (SCARD_E_NOT_TRANSACTED for about 400 ms, REFERENCE.md section 1), vpcd a
 * success without bytes; only then the reader shows the card gone. Watch
 * the reader briefly before calling a failure a removal.
 */
import { SCARD } from "../../ffi/abi.ts";
import { CODE, PcscError } from "../../ffi/pcsc-error.ts";
import { PcscTimeoutError, type PcscThread } from "../../ffi/pcsc-thread.ts";
import { pcscFailure, removedError, timeoutError } from "./errors.ts";

/** After SCARD_E_NOT_TRANSACTED, how long to watch for the card leaving (pcsc-lite takes ~400 ms). */
const REMOVAL_WATCH_MS = 1_000;

/** Whether the card leaves `reader` now or within REMOVAL_WATCH_MS. */
export async function cardLeaves(thread: PcscThread, reader: string): Promise<boolean> {
  try {
    let [s] = await thread.getStatusChange([{ reader, currentState: SCARD.STATE_UNAWARE }], 0, REMOVAL_WATCH_MS * 2);
    if (s && (s.eventState & SCARD.STATE_PRESENT) === 0) return true;
    [s] = await thread.getStatusChange([{ reader, currentState: s?.eventState ?? 0 }], REMOVAL_WATCH_MS, REMOVAL_WATCH_MS * 2);
    return s !== undefined && (s.eventState & SCARD.STATE_PRESENT) === 0;
  } catch {
    return false;
  }
}

/** Turn a failed transmit into the error a user should see. */
export async function explainTransmitFailure(thread: PcscThread, reader: string, timeoutMs: number, error: unknown): Promise<Error> {
  if (error instanceof PcscTimeoutError) return timeoutError(reader, timeoutMs, error);
  if (error instanceof PcscError && (error.code === CODE.SCARD_E_NOT_TRANSACTED || error.code === CODE.SCARD_F_COMM_ERROR)) {
    if (await cardLeaves(thread, reader)) return removedError(reader, error);
  }
  if (error instanceof PcscError && error.code === CODE.SCARD_E_NO_SMARTCARD) return removedError(reader, error);
  return pcscFailure(error, reader, timeoutMs);
}
