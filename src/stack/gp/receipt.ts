/**
 * Receipts (GP 2.3.1 sections 9.4.1, 11.1.6 and C.5): after a delegated
 * load, install, extradition or delete, the security domain with Receipt
 * Generation (the ISD) proves the change with a MAC under its Receipt key,
 * which the Card Issuer's system checks.
 *
 *   confirmation data:  02 | confirmation counter (2) | L | SD unique data
 *   receipt input:      confirmation data | the operation's AIDs, each LV:
 *       load          load file AID | security domain AID
 *       install       load file AID | application AID
 *       extradition   security domain AID | application or load file AID
 *       delete        deleted AID
 *   receipt:            3DES key: full 3DES CBC MAC (9797-1 algorithm 1, pad 80, zero ICV), 8 bytes
 *                       AES key:  AES-CMAC, 16 bytes
 *   response data:      L | receipt | L | confirmation data
 *
 * A command without a receipt answers the single byte 00.
 */
import { concat, equalConstantTime, readUint, u16 } from "../bytes.ts";
import { aesCmac } from "../crypto/cmac.ts";
import { tdesMac } from "../crypto/des-mac.ts";
import type { KeyType } from "../crypto/kcv.ts";
import { FormatError } from "../errors.ts";

/** The card-content operations that produce a receipt. */
export type ReceiptKind = "load" | "install" | "extradition" | "delete";

/** The confirmation the card sends beside the receipt. */
export interface Confirmation {
  /** Incremented by the card for each receipt (GP 9.4.1). */
  counter: number;
  /** Identifies the security domain image that made the receipt (ISD: IIN and CIN). */
  sdUniqueData: Uint8Array;
}

const lv = (b: Uint8Array) => {
  if (b.length > 255) throw new RangeError(`Receipt field of ${b.length} bytes exceeds 255`);
  return concat(b.length, b);
};

/** The confirmation data field. */
export function confirmationData(c: Confirmation): Uint8Array {
  if (!Number.isInteger(c.counter) || c.counter < 0 || c.counter > 0xffff) throw new RangeError(`Confirmation counter ${c.counter} out of range`);
  return concat(2, u16(c.counter), lv(c.sdUniqueData));
}

/** What the receipt key MACs for one operation; `aids` in the order of the table above. */
export function receiptInput(c: Confirmation, aids: readonly Uint8Array[]): Uint8Array {
  return concat(confirmationData(c), ...aids.map(lv));
}

/** The receipt: a MAC of the receipt input under the Receipt key. */
export function computeReceipt(key: Uint8Array, type: KeyType, input: Uint8Array): Uint8Array {
  return type === "AES" ? aesCmac(key, input) : tdesMac(key, input);
}

/** The INSTALL/LOAD/DELETE response data carrying a receipt. */
export function receiptResponse(receipt: Uint8Array, c: Confirmation): Uint8Array {
  return concat(lv(receipt), lv(confirmationData(c)));
}

/** Decode INSTALL/LOAD/DELETE response data: undefined for "no receipt" (00 or empty). */
export function parseReceiptResponse(data: Uint8Array): { receipt: Uint8Array; confirmation: Confirmation } | undefined {
  if (data.length === 0 || (data.length === 1 && data[0] === 0)) return undefined;
  const n = data[0]!;
  if (n === 0 || 1 + n >= data.length) throw new FormatError("Receipt response is truncated", data);
  const receipt = data.subarray(1, 1 + n);
  const cl = data[1 + n]!;
  const conf = data.subarray(2 + n, 2 + n + cl);
  if (conf.length !== cl || conf.length < 4 || conf[0] !== 2) throw new FormatError("Receipt confirmation data is malformed", data);
  const ul = conf[3]!;
  if (4 + ul > conf.length) throw new FormatError("Receipt SD unique data is truncated", data);
  return { receipt, confirmation: { counter: readUint(conf, 1, 2), sdUniqueData: conf.subarray(4, 4 + ul) } };
}

/** Whether a receipt from the card is the one the Receipt key gives for these AIDs. */
export function verifyReceipt(key: Uint8Array, type: KeyType, receipt: Uint8Array, c: Confirmation, aids: readonly Uint8Array[]): boolean {
  return equalConstantTime(computeReceipt(key, type, receiptInput(c, aids)), receipt);
}
