/**
 * PC/SC failures as the rest of webcard sees them: TransportErrors whose one
 * line names the reader and says what to do. The PcscError (call, code and
 * code name) stays attached as the cause.
 */
import { TransportError } from "../../stack/errors.ts";
import { CODE, PcscError } from "../../ffi/pcsc-error.ts";
import { PcscTimeoutError } from "../../ffi/pcsc-thread.ts";

/** The message for a stopped or missing PC/SC service. */
export const NO_SERVICE = "PC/SC service not running (start pcscd)";

/** The error for a card that did not answer in time. */
export function timeoutError(reader: string, timeoutMs: number, cause?: unknown): TransportError {
  const seconds = Math.round((timeoutMs / 1000) * 10) / 10;
  return new TransportError("timeout", `card in ${reader} did not answer within ${seconds} s`, {
    cause,
    hint: "the session was reset; remove and reinsert the card if it keeps happening",
  });
}

/** The error for a card taken out of its reader. */
export function removedError(reader: string, cause?: unknown): TransportError {
  return new TransportError("removed", `card removed from ${reader}`, { cause });
}

/**
 * The error for a card reset by another program (SCARD_W_RESET_CARD) after
 * this session had talked to it: whatever the session had set up on the card
 * (a selected application, a secure channel, a LOAD under way) is gone.
 */
export function resetError(reader: string, operation: string | undefined, cause?: unknown): TransportError {
  return new TransportError("reset", `the card in ${reader} was reset by another program${operation ? ` during ${operation}` : ""}`, {
    cause,
    hint: "nothing more was sent to it; run the command again",
  });
}

/** Codes that mean the resource manager is gone. */
function isNoService(code: number): boolean {
  return code === CODE.SCARD_E_NO_SERVICE || code === CODE.SCARD_E_SERVICE_STOPPED;
}

/**
 * Map any failure of a PC/SC call about `reader` to a TransportError.
 * `reader` may be undefined for calls about no reader in particular.
 */
export function pcscFailure(error: unknown, reader?: string, timeoutMs?: number): Error {
  if (error instanceof TransportError) return error;
  const where = reader ?? "the reader";
  if (error instanceof PcscTimeoutError) {
    if (reader !== undefined) return timeoutError(reader, timeoutMs ?? error.timeoutMs, error);
    return new TransportError("timeout", `PC/SC did not answer within ${Math.round(error.timeoutMs / 100) / 10} s`, {
      cause: error,
      hint: "check that pcscd is running and not stuck",
    });
  }
  if (!(error instanceof PcscError)) return error instanceof Error ? error : new Error(String(error));
  const code = error.code;
  if (isNoService(code)) return new TransportError("no-service", NO_SERVICE, { cause: error });
  switch (code) {
    case CODE.SCARD_W_REMOVED_CARD:
      return removedError(where, error);
    case CODE.SCARD_E_NO_SMARTCARD:
      return new TransportError("removed", `no card in ${where}`, { cause: error, hint: "insert a card" });
    case CODE.SCARD_E_NO_READERS_AVAILABLE:
      return new TransportError("no-reader", "no smart card reader found", { cause: error, hint: "plug in a reader" });
    case CODE.SCARD_E_UNKNOWN_READER:
    case CODE.SCARD_E_READER_UNAVAILABLE:
      return new TransportError("no-reader", `reader ${where} is not available`, { cause: error, hint: "see 'webcard readers'" });
    case CODE.SCARD_E_SHARING_VIOLATION:
      return new TransportError("busy", `${where} is in use by another program`, { cause: error, hint: "close it and retry" });
    case CODE.SCARD_W_RESET_CARD:
      return resetError(where, undefined, error);
    case CODE.SCARD_W_UNRESPONSIVE_CARD:
    case CODE.SCARD_W_UNPOWERED_CARD:
      return new TransportError("other", `card in ${where} does not respond`, { cause: error, hint: "reinsert the card" });
    case CODE.SCARD_E_PROTO_MISMATCH:
      return new TransportError("protocol", `card in ${where} does not speak the requested protocol`, { cause: error });
    default:
      return new TransportError("other", `${error.call} on ${where} failed: ${error.codeName}`, { cause: error });
  }
}
