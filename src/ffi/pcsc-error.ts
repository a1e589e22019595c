/**
 * PC/SC return codes by name, and the error that carries one. Values from
 * pcsc-lite 1.9.9 `pcsclite.h` (the same numbers as Microsoft's SCardErr.h).
 */
import { WebcardError } from "../stack/errors.ts";
import { hexNumber } from "../stack/bytes.ts";

/** Every SCARD_S_/F_/E_/W_/P_ code with its meaning, by value. */
export const PCSC_CODES = {
  0x00000000: ["SCARD_S_SUCCESS", "No error was encountered"],
  0x80100001: ["SCARD_F_INTERNAL_ERROR", "An internal consistency check failed"],
  0x80100002: ["SCARD_E_CANCELLED", "The action was cancelled by an SCardCancel request"],
  0x80100003: ["SCARD_E_INVALID_HANDLE", "The supplied handle was invalid"],
  0x80100004: ["SCARD_E_INVALID_PARAMETER", "One or more of the supplied parameters could not be properly interpreted"],
  0x80100005: ["SCARD_E_INVALID_TARGET", "Registry startup information is missing or invalid"],
  0x80100006: ["SCARD_E_NO_MEMORY", "Not enough memory available to complete this command"],
  0x80100007: ["SCARD_F_WAITED_TOO_LONG", "An internal consistency timer has expired"],
  0x80100008: ["SCARD_E_INSUFFICIENT_BUFFER", "The data buffer to receive returned data is too small for the returned data"],
  0x80100009: ["SCARD_E_UNKNOWN_READER", "The specified reader name is not recognized"],
  0x8010000a: ["SCARD_E_TIMEOUT", "The user-specified timeout value has expired"],
  0x8010000b: ["SCARD_E_SHARING_VIOLATION", "The smart card cannot be accessed because of other connections outstanding"],
  0x8010000c: ["SCARD_E_NO_SMARTCARD", "The operation requires a smart card, but no smart card is currently in the device"],
  0x8010000d: ["SCARD_E_UNKNOWN_CARD", "The specified smart card name is not recognized"],
  0x8010000e: ["SCARD_E_CANT_DISPOSE", "The system could not dispose of the media in the requested manner"],
  0x8010000f: ["SCARD_E_PROTO_MISMATCH", "The requested protocols are incompatible with the protocol currently in use with the smart card"],
  0x80100010: ["SCARD_E_NOT_READY", "The reader or smart card is not ready to accept commands"],
  0x80100011: ["SCARD_E_INVALID_VALUE", "One or more of the supplied parameters values could not be properly interpreted"],
  0x80100012: ["SCARD_E_SYSTEM_CANCELLED", "The action was cancelled by the system, presumably to log off or shut down"],
  0x80100013: ["SCARD_F_COMM_ERROR", "An internal communications error has been detected"],
  0x80100014: ["SCARD_F_UNKNOWN_ERROR", "An internal error has been detected, but the source is unknown"],
  0x80100015: ["SCARD_E_INVALID_ATR", "An ATR obtained from the registry is not a valid ATR string"],
  0x80100016: ["SCARD_E_NOT_TRANSACTED", "An attempt was made to end a non-existent transaction"],
  0x80100017: ["SCARD_E_READER_UNAVAILABLE", "The specified reader is not currently available for use"],
  0x80100018: ["SCARD_P_SHUTDOWN", "The operation has been aborted to allow the server application to exit"],
  0x80100019: ["SCARD_E_PCI_TOO_SMALL", "The PCI receive buffer was too small"],
  0x8010001a: ["SCARD_E_READER_UNSUPPORTED", "The reader driver does not meet minimal requirements for support"],
  0x8010001b: ["SCARD_E_DUPLICATE_READER", "The reader driver did not produce a unique reader name"],
  0x8010001c: ["SCARD_E_CARD_UNSUPPORTED", "The smart card does not meet minimal requirements for support"],
  0x8010001d: ["SCARD_E_NO_SERVICE", "The smart card resource manager is not running"],
  0x8010001e: ["SCARD_E_SERVICE_STOPPED", "The smart card resource manager has shut down"],
  // pcsc-lite gives SCARD_E_UNEXPECTED and SCARD_E_UNSUPPORTED_FEATURE the same value.
  0x8010001f: ["SCARD_E_UNSUPPORTED_FEATURE", "This smart card does not support the requested feature (or an unexpected card error)"],
  0x80100020: ["SCARD_E_ICC_INSTALLATION", "No primary provider can be found for the smart card"],
  0x80100021: ["SCARD_E_ICC_CREATEORDER", "The requested order of object creation is not supported"],
  0x80100022: ["SCARD_E_UNSUPPORTED_FEATURE", "This smart card does not support the requested feature"],
  0x80100023: ["SCARD_E_DIR_NOT_FOUND", "The identified directory does not exist in the smart card"],
  0x80100024: ["SCARD_E_FILE_NOT_FOUND", "The identified file does not exist in the smart card"],
  0x80100025: ["SCARD_E_NO_DIR", "The supplied path does not represent a smart card directory"],
  0x80100026: ["SCARD_E_NO_FILE", "The supplied path does not represent a smart card file"],
  0x80100027: ["SCARD_E_NO_ACCESS", "Access is denied to this file"],
  0x80100028: ["SCARD_E_WRITE_TOO_MANY", "The smart card does not have enough memory to store the information"],
  0x80100029: ["SCARD_E_BAD_SEEK", "There was an error trying to set the smart card file object pointer"],
  0x8010002a: ["SCARD_E_INVALID_CHV", "The supplied PIN is incorrect"],
  0x8010002b: ["SCARD_E_UNKNOWN_RES_MNG", "An unrecognized error code was returned from a layered component"],
  0x8010002c: ["SCARD_E_NO_SUCH_CERTIFICATE", "The requested certificate does not exist"],
  0x8010002d: ["SCARD_E_CERTIFICATE_UNAVAILABLE", "The requested certificate could not be obtained"],
  0x8010002e: ["SCARD_E_NO_READERS_AVAILABLE", "Cannot find a smart card reader"],
  0x8010002f: ["SCARD_E_COMM_DATA_LOST", "A communications error with the smart card has been detected"],
  0x80100030: ["SCARD_E_NO_KEY_CONTAINER", "The requested key container does not exist on the smart card"],
  0x80100031: ["SCARD_E_SERVER_TOO_BUSY", "The smart card resource manager is too busy to complete this operation"],
  0x80100032: ["SCARD_E_PIN_CACHE_EXPIRED", "The smart card PIN cache has expired"],
  0x80100033: ["SCARD_E_NO_PIN_CACHE", "The smart card PIN cannot be cached"],
  0x80100034: ["SCARD_E_READ_ONLY_CARD", "The smart card is read-only and cannot be written to"],
  0x80100065: ["SCARD_W_UNSUPPORTED_CARD", "The reader cannot communicate with the card, due to ATR string configuration conflicts"],
  0x80100066: ["SCARD_W_UNRESPONSIVE_CARD", "The smart card is not responding to a reset"],
  0x80100067: ["SCARD_W_UNPOWERED_CARD", "Power has been removed from the smart card, so that further communication is not possible"],
  0x80100068: ["SCARD_W_RESET_CARD", "The smart card has been reset, so any shared state information is invalid"],
  0x80100069: ["SCARD_W_REMOVED_CARD", "The smart card has been removed, so further communication is not possible"],
  0x8010006a: ["SCARD_W_SECURITY_VIOLATION", "Access was denied because of a security violation"],
  0x8010006b: ["SCARD_W_WRONG_CHV", "The card cannot be accessed because the wrong PIN was presented"],
  0x8010006c: ["SCARD_W_CHV_BLOCKED", "The card cannot be accessed because the maximum number of PIN entry attempts has been reached"],
  0x8010006d: ["SCARD_W_EOF", "The end of the smart card file has been reached"],
  0x8010006e: ["SCARD_W_CANCELLED_BY_USER", "The user pressed Cancel on a smart card selection dialog"],
  0x8010006f: ["SCARD_W_CARD_NOT_AUTHENTICATED", "No PIN was presented to the smart card"],
  0x80100070: ["SCARD_W_CACHE_ITEM_NOT_FOUND", "The requested item could not be found in the cache"],
  0x80100071: ["SCARD_W_CACHE_ITEM_STALE", "The requested cache item is too old and was deleted from the cache"],
  0x80100072: ["SCARD_W_CACHE_ITEM_TOO_BIG", "The new cache item exceeds the maximum per-item size defined for the cache"],
} as const satisfies Record<number, readonly [string, string]>;

/** Codes by name, for comparisons in code (`rc === CODE.SCARD_E_TIMEOUT`). */
export const CODE = {
  SCARD_S_SUCCESS: 0x00000000,
  SCARD_E_CANCELLED: 0x80100002,
  SCARD_E_INVALID_HANDLE: 0x80100003,
  SCARD_E_INSUFFICIENT_BUFFER: 0x80100008,
  SCARD_E_UNKNOWN_READER: 0x80100009,
  SCARD_E_TIMEOUT: 0x8010000a,
  SCARD_E_SHARING_VIOLATION: 0x8010000b,
  SCARD_E_NO_SMARTCARD: 0x8010000c,
  SCARD_E_PROTO_MISMATCH: 0x8010000f,
  SCARD_F_COMM_ERROR: 0x80100013,
  SCARD_E_NOT_TRANSACTED: 0x80100016,
  SCARD_E_READER_UNAVAILABLE: 0x80100017,
  SCARD_E_NO_SERVICE: 0x8010001d,
  SCARD_E_SERVICE_STOPPED: 0x8010001e,
  SCARD_E_NO_READERS_AVAILABLE: 0x8010002e,
  SCARD_E_COMM_DATA_LOST: 0x8010002f,
  SCARD_W_UNRESPONSIVE_CARD: 0x80100066,
  SCARD_W_UNPOWERED_CARD: 0x80100067,
  SCARD_W_RESET_CARD: 0x80100068,
  SCARD_W_REMOVED_CARD: 0x80100069,
} as const;

/** Normalise a LONG return value (number or bigint, signed or not) to an unsigned 32-bit code. */
export function normaliseCode(rc: number | bigint): number {
  return Number(BigInt.asUintN(32, BigInt(rc)));
}

/** The name of a return code, or its hex when unknown. */
export function codeName(code: number): string {
  const entry = (PCSC_CODES as Record<number, readonly [string, string]>)[code >>> 0];
  return entry ? entry[0] : `0x${hexNumber(code >>> 0, 8)}`;
}

/** The meaning of a return code, or "unknown PC/SC error". */
export function codeMeaning(code: number): string {
  const entry = (PCSC_CODES as Record<number, readonly [string, string]>)[code >>> 0];
  return entry ? entry[1] : "Unknown PC/SC error";
}

/** A PC/SC call failed: which call, the code and its name. */
export class PcscError extends WebcardError {
  override name = "PcscError";
  /** The PC/SC function, e.g. "SCardTransmit". */
  readonly call: string;
  /** The return code as an unsigned 32-bit number. */
  readonly code: number;
  /** The code's name, e.g. "SCARD_E_TIMEOUT". */
  readonly codeName: string;
  constructor(call: string, code: number, options?: { cause?: unknown; hint?: string }) {
    const unsigned = code >>> 0;
    super(`${call} failed: ${codeName(unsigned)} (0x${hexNumber(unsigned, 8)}): ${codeMeaning(unsigned)}`, options);
    this.call = call;
    this.code = unsigned;
    this.codeName = codeName(unsigned);
  }
}
