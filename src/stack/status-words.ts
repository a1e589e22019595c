/**
 * Status words by name: ISO/IEC 7816-4 section 5.6 and GlobalPlatform Card
 * Specification 2.3.1 section 11 (per-command tables). One table, one lookup.
 */
import { hexNumber } from "./hex.ts";

/** Named status words that the code compares against. */
export const SW = {
  OK: 0x9000,
  WARNING_MORE_DATA: 0x6310, // GP: more data available (GET STATUS)
  WRONG_LENGTH: 0x6700,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  COMMAND_CHAINING_NOT_SUPPORTED: 0x6884,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  REFERENCED_DATA_INVALIDATED: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED: 0x6986,
  SM_DATA_MISSING: 0x6987,
  SM_DATA_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  NOT_ENOUGH_MEMORY: 0x6a84,
  INCORRECT_P1P2: 0x6a86,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  UNKNOWN: 0x6f00,
  MEMORY_FAILURE: 0x6581,
  INVALID_KEY_CHECK_VALUE: 0x6a8a, // proprietary use in some cards; kept for naming
  MORE_AVAILABLE: 0x6100, // 61xx family
  WRONG_LE: 0x6c00, // 6Cxx family
} as const;

const NAMES: ReadonlyMap<number, string> = new Map([
  [0x9000, "Success"],
  [0x6200, "Warning: state of non-volatile memory unchanged"],
  [0x6281, "Warning: part of returned data may be corrupted"],
  [0x6282, "Warning: end of file reached before reading Le bytes"],
  [0x6283, "Warning: selected file invalidated"],
  [0x6284, "Warning: FCI not formatted"],
  [0x6300, "Warning: authentication failed"],
  [0x6310, "More data available"],
  [0x6400, "Execution error: state of non-volatile memory unchanged"],
  [0x6500, "Execution error: state of non-volatile memory changed"],
  [0x6581, "Memory failure"],
  [0x6700, "Wrong length"],
  [0x6800, "Functions in CLA not supported"],
  [0x6881, "Logical channel not supported"],
  [0x6882, "Secure messaging not supported"],
  [0x6883, "Last command of the chain expected"],
  [0x6884, "Command chaining not supported"],
  [0x6900, "Command not allowed"],
  [0x6981, "Command incompatible with file structure"],
  [0x6982, "Security status not satisfied"],
  [0x6983, "Authentication method blocked"],
  [0x6984, "Referenced data invalidated"],
  [0x6985, "Conditions of use not satisfied"],
  [0x6986, "Command not allowed (no current EF)"],
  [0x6987, "Expected secure messaging data objects missing"],
  [0x6988, "Incorrect secure messaging data objects"],
  [0x6999, "Applet selection failed"],
  [0x6a00, "Wrong P1 P2"],
  [0x6a80, "Incorrect parameters in the command data field"],
  [0x6a81, "Function not supported"],
  [0x6a82, "File or application not found"],
  [0x6a83, "Record not found"],
  [0x6a84, "Not enough memory space"],
  [0x6a85, "Nc inconsistent with TLV structure"],
  [0x6a86, "Incorrect parameters P1-P2"],
  [0x6a87, "Nc inconsistent with P1-P2"],
  [0x6a88, "Referenced data not found"],
  [0x6a89, "File already exists"],
  [0x6a8a, "DF name already exists"],
  [0x6b00, "Wrong parameters P1-P2"],
  [0x6d00, "Instruction code not supported or invalid"],
  [0x6e00, "Class not supported"],
  [0x6f00, "No precise diagnosis"],
  [0x9484, "Algorithm not supported"],
  [0x9485, "Invalid key check value"],
]);

/** Four uppercase hex digits. */
export function swHex(sw: number): string {
  return hexNumber(sw, 4);
}

/** The meaning of a status word, without the number ("Security status not satisfied"). */
function swMeaning(sw: number): string {
  const exact = NAMES.get(sw);
  if (exact) return exact;
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x61) return `${sw2 === 0 ? 256 : sw2} more bytes available`;
  if (sw1 === 0x6c) return `Wrong Le: exact length is ${sw2 === 0 ? 256 : sw2}`;
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return `Verification failed, ${sw2 & 0x0f} tries left`;
  if (sw1 === 0x62 || sw1 === 0x63) return "Warning";
  if (sw1 === 0x64 || sw1 === 0x65 || sw1 === 0x66) return "Execution error";
  if (sw1 === 0x67) return "Wrong length";
  if (sw1 === 0x68) return "Functions in CLA not supported";
  if (sw1 === 0x69) return "Command not allowed";
  if (sw1 === 0x6a) return "Wrong parameters";
  return "Unknown status";
}

/** "6982 (Security status not satisfied)". */
export function describeSw(sw: number): string {
  return `${swHex(sw)} (${swMeaning(sw)})`;
}
