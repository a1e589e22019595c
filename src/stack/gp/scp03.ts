/**
 * SCP03 (GP 2.3.1 amendment D): AES session keys, cryptograms, and secure
 * messaging for both directions (host wraps commands and unwraps responses,
 * card unwraps commands and wraps responses) in one shared state machine.
 *
 * i = 00, 10 or 70: bit 10 pseudo-random card challenge, 20 R-MAC support,
 * 40 R-ENC support (amendment D table 5-1). 8-byte challenges and MACs (S8 mode).
 *
 * SCP11 (amendment F section 6.2) uses this same secure messaging after its
 * own key agreement: the session then starts with the receipt as MAC chaining
 * value and may use 16-byte MACs (S16 mode), hence the session options.
 */
import { concat, equalConstantTime, u16, uintBytes } from "../bytes.ts";
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { aesCbcDecrypt, aesCbcEncrypt, aesEcbEncrypt } from "../crypto/aes.ts";
import { aesCmac } from "../crypto/cmac.ts";
import { scp03Kdf } from "../crypto/kdf.ts";
import { pad80, unpad80 } from "../crypto/padding.ts";
import { SecurityError } from "../errors.ts";
import { SW } from "../status-words.ts";
import { lcField, protectsResponse } from "./scp02.ts";
import { LEVEL_BIT } from "./security-level.ts";

/** Data derivation constants (amendment D table 6-1). */
const SCP03_CONSTANT = {
  CARD_CRYPTOGRAM: 0x00,
  HOST_CRYPTOGRAM: 0x01,
  CARD_CHALLENGE: 0x02,
  S_ENC: 0x04,
  S_MAC: 0x06,
  S_RMAC: 0x07,
} as const;

/** Bits of the "i" parameter (amendment D table 5-1). */
export const SCP03_I = { PSEUDO_RANDOM: 0x10, R_MAC: 0x20, R_ENC: 0x40 } as const;

/** How a session differs from SCP03's S8 defaults (used by SCP11). */
export interface SessionOptions {
  /** First MAC chaining value; SCP03: 16 zero bytes (6.2.4), SCP11: the receipt (amendment F 6.2.2.3). */
  chain?: Uint8Array;
  /** C-MAC and R-MAC length: 8 (S8 mode, default) or 16 (S16 mode). */
  macLength?: 8 | 16;
}

export interface Scp03SessionKeys {
  enc: Uint8Array;
  mac: Uint8Array;
  rmac: Uint8Array;
  /** SCP03 has no session DEK: PUT KEY uses the static DEK (amendment D 6.2.1). */
  dek: Uint8Array;
}

/** SCP03 session keys from static keys and context = host challenge | card challenge (amendment D 6.2.1). */
export function scp03SessionKeys(keys: { enc: Uint8Array; mac: Uint8Array; dek: Uint8Array }, context: Uint8Array): Scp03SessionKeys {
  return {
    enc: scp03Kdf(keys.enc, SCP03_CONSTANT.S_ENC, context, keys.enc.length * 8),
    mac: scp03Kdf(keys.mac, SCP03_CONSTANT.S_MAC, context, keys.mac.length * 8),
    rmac: scp03Kdf(keys.mac, SCP03_CONSTANT.S_RMAC, context, keys.mac.length * 8),
    dek: keys.dek.slice(),
  };
}

/** Card cryptogram: KDF(S-MAC, 00, context, 64 bits) (amendment D 6.2.2.2). */
export function scp03CardCryptogram(sMac: Uint8Array, context: Uint8Array): Uint8Array {
  return scp03Kdf(sMac, SCP03_CONSTANT.CARD_CRYPTOGRAM, context, 64);
}

/** Host cryptogram: KDF(S-MAC, 01, context, 64 bits) (amendment D 6.2.2.3). */
export function scp03HostCryptogram(sMac: Uint8Array, context: Uint8Array): Uint8Array {
  return scp03Kdf(sMac, SCP03_CONSTANT.HOST_CRYPTOGRAM, context, 64);
}

/** Pseudo-random card challenge: KDF(static ENC, 02, sequence counter (3) | SD AID, 64 bits) (amendment D 6.2.2.1). */
export function scp03PseudoRandomChallenge(staticEnc: Uint8Array, sequence: number, aid: Uint8Array): Uint8Array {
  return scp03Kdf(staticEnc, SCP03_CONSTANT.CARD_CHALLENGE, concat(uintBytes(sequence, 3), aid), 64);
}

/** One SCP03 session's secure messaging state, for either side. */
export class Scp03Session {
  readonly keys: Scp03SessionKeys;
  readonly i: number;
  /** C-MAC and R-MAC length in bytes (8 in S8 mode, 16 in S16 mode). */
  readonly macLength: 8 | 16;
  /** MAC chaining value: 16 zero bytes before EXTERNAL AUTHENTICATE, then the last full C-MAC (6.2.4). */
  #chain: Uint8Array;
  /** Encryption counter: incremented for every command under C-DEC, first value 1 (6.2.6). */
  #counter = 0;

  constructor(keys: Scp03SessionKeys, i: number, options: SessionOptions = {}) {
    this.keys = keys;
    this.i = i;
    this.macLength = options.macLength ?? 8;
    const chain = options.chain ?? new Uint8Array(16);
    if (chain.length !== 16) throw new RangeError(`MAC chaining value must be 16 bytes, got ${chain.length}`);
    this.#chain = chain.slice();
  }

  /** ICV = AES(S-ENC, counter block); responses set the block's first byte to 80 (6.2.6, 6.2.7). */
  #icv(response: boolean): Uint8Array {
    const block = new Uint8Array(16);
    block.set(uintBytes(this.#counter, 6), 10);
    if (response) block[0] = 0x80;
    return aesEcbEncrypt(this.keys.enc, block);
  }

  /** Full 16-byte C-MAC over chaining | CLA (bit 04) INS P1 P2 Lc+MAC | data as sent. */
  #cmac(cla: number, cmd: CommandApdu, body: Uint8Array): Uint8Array {
    const lc = lcField(body.length + this.macLength);
    return aesCmac(this.keys.mac, concat(this.#chain, cla | 0x04, cmd.ins, cmd.p1, cmd.p2, lc, body));
  }

  /** R-MAC over chaining | response data as sent | SW (6.2.5). */
  #rmac(data: Uint8Array, sw: number): Uint8Array {
    return aesCmac(this.keys.rmac, concat(this.#chain, data, u16(sw))).slice(0, this.macLength);
  }

  /** Host: protect a plain command (CLA without bit 04) at `level`. */
  wrapCommand(cmd: CommandApdu, level: number): CommandApdu {
    if (!(level & LEVEL_BIT.C_MAC)) return cmd;
    let body = cmd.data;
    if (level & LEVEL_BIT.C_DEC) {
      this.#counter++;
      if (body.length > 0) body = aesCbcEncrypt(this.keys.enc, pad80(body, 16), this.#icv(false));
    }
    const full = this.#cmac(cmd.cla, cmd, body);
    this.#chain = full;
    return cmd.with({ cla: cmd.cla | 0x04, data: concat(body, full.subarray(0, this.macLength)) });
  }

  /** Host: verify the R-MAC and decrypt R-ENC data; throws SecurityError when it does not verify. */
  unwrapResponse(resp: ResponseApdu, level: number): ResponseApdu {
    if (!(level & LEVEL_BIT.R_MAC)) return resp;
    if (!protectsResponse(resp.sw) && resp.data.length === 0) return resp;
    const m = this.macLength;
    if (resp.data.length < m) throw new SecurityError(`Response without R-MAC (${resp.data.length} data bytes) in an R-MAC session`);
    const body = resp.data.subarray(0, resp.data.length - m);
    if (!equalConstantTime(this.#rmac(body, resp.sw), resp.data.subarray(body.length))) {
      throw new SecurityError("Response R-MAC does not verify: the response was altered or the session is out of step");
    }
    if (!(level & LEVEL_BIT.R_ENC) || body.length === 0) return new ResponseApdu(body.slice(), resp.sw);
    if (body.length % 16 !== 0) throw new SecurityError(`Encrypted response of ${body.length} bytes is not whole AES blocks`);
    try {
      return new ResponseApdu(unpad80(aesCbcDecrypt(this.keys.enc, body, this.#icv(true))), resp.sw);
    } catch (cause) {
      throw new SecurityError("Encrypted response does not decrypt to padded data", { cause });
    }
  }

  /** Card: verify the C-MAC and decrypt; the plain command, or the SW to answer. */
  unwrapCommand(cmd: CommandApdu, level: number): CommandApdu | number {
    if (!(level & LEVEL_BIT.C_MAC)) return cmd.cla & 0x04 ? SW.SECURITY_STATUS_NOT_SATISFIED : cmd;
    const m = this.macLength;
    if (!(cmd.cla & 0x04) || cmd.data.length < m) return SW.SECURITY_STATUS_NOT_SATISFIED;
    const body = cmd.data.subarray(0, cmd.data.length - m);
    const cla = cmd.cla & ~0x04;
    const full = this.#cmac(cla, cmd, body);
    if (!equalConstantTime(full.subarray(0, m), cmd.data.subarray(body.length))) return SW.SECURITY_STATUS_NOT_SATISFIED;
    this.#chain = full;
    let plain: Uint8Array = body;
    if (level & LEVEL_BIT.C_DEC) {
      this.#counter++;
      if (body.length > 0) {
        if (body.length % 16 !== 0) return SW.SM_DATA_INCORRECT;
        try {
          plain = unpad80(aesCbcDecrypt(this.keys.enc, body, this.#icv(false)));
        } catch {
          return SW.SM_DATA_INCORRECT;
        }
      }
    }
    return cmd.with({ cla, data: plain.slice() });
  }

  /** Card: encrypt (R-ENC) and add the R-MAC when `level` asks for it. */
  wrapResponse(resp: ResponseApdu, level: number): ResponseApdu {
    if (!(level & LEVEL_BIT.R_MAC) || !protectsResponse(resp.sw)) return resp;
    let body = resp.data;
    if (level & LEVEL_BIT.R_ENC && body.length > 0) body = aesCbcEncrypt(this.keys.enc, pad80(body, 16), this.#icv(true));
    return new ResponseApdu(concat(body, this.#rmac(body, resp.sw)), resp.sw);
  }
}
