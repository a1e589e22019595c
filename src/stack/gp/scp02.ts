/**
 * SCP02 (GP 2.3.1 appendix E): 3DES session keys, cryptograms, and secure
 * messaging for both directions. The host wraps commands and unwraps
 * responses; the card unwraps commands and wraps responses, with one shared
 * state machine so that the two sides cannot drift apart.
 *
 * Implemented: i = 15 and i = 55 (three keys, explicit initiation, C-MAC on
 * the modified APDU, ICV encrypted with single DES from the second command).
 */
import { concat, equalConstantTime, u16 } from "../bytes.ts";
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { desEcbEncrypt, tdesCbcDecrypt, tdesCbcEncrypt } from "../crypto/des.ts";
import { retailMac, tdesMac } from "../crypto/des-mac.ts";
import { pad80, unpad80 } from "../crypto/padding.ts";
import { SecurityError } from "../errors.ts";
import { SW } from "../status-words.ts";
import { LEVEL_BIT } from "./security-level.ts";

/** Session key derivation constants (GP 2.3.1 E.4.1). */
const SCP02_CONSTANT = { C_MAC: 0x0101, R_MAC: 0x0102, DEK: 0x0181, S_ENC: 0x0182 } as const;

/** Bits of the "i" parameter that change behaviour (GP 2.3.1 table E-1). */
const SCP02_I = {
  /** ICV encryption for the C-MAC session. */
  ICV_ENCRYPTION: 0x10,
  /** Well-known pseudo-random card challenge. */
  PSEUDO_RANDOM: 0x40,
} as const;


export interface Scp02SessionKeys {
  enc: Uint8Array;
  cmac: Uint8Array;
  rmac: Uint8Array;
  dek: Uint8Array;
}

/** 3DES-CBC(static key, IV 0, constant | sequence counter | 00 x 12). */
function derive(key: Uint8Array, constant: number, sequence: Uint8Array): Uint8Array {
  return tdesCbcEncrypt(key, concat(u16(constant), sequence, new Uint8Array(12)));
}

/** SCP02 session keys from static keys and the 2-byte sequence counter (E.4.1). */
export function scp02SessionKeys(keys: { enc: Uint8Array; mac: Uint8Array; dek: Uint8Array }, sequence: Uint8Array): Scp02SessionKeys {
  if (sequence.length !== 2) throw new RangeError(`SCP02 sequence counter must be 2 bytes, got ${sequence.length}`);
  return {
    enc: derive(keys.enc, SCP02_CONSTANT.S_ENC, sequence),
    cmac: derive(keys.mac, SCP02_CONSTANT.C_MAC, sequence),
    rmac: derive(keys.mac, SCP02_CONSTANT.R_MAC, sequence),
    dek: derive(keys.dek, SCP02_CONSTANT.DEK, sequence),
  };
}

/** Card cryptogram: full 3DES MAC with S-ENC over host challenge | sequence | card challenge (E.4.2.1). */
export function scp02CardCryptogram(sEnc: Uint8Array, hostChallenge: Uint8Array, sequence: Uint8Array, cardChallenge: Uint8Array): Uint8Array {
  return tdesMac(sEnc, concat(hostChallenge, sequence, cardChallenge));
}

/** Host cryptogram: full 3DES MAC with S-ENC over sequence | card challenge | host challenge (E.4.2.2). */
export function scp02HostCryptogram(sEnc: Uint8Array, sequence: Uint8Array, cardChallenge: Uint8Array, hostChallenge: Uint8Array): Uint8Array {
  return tdesMac(sEnc, concat(sequence, cardChallenge, hostChallenge));
}

/** Pseudo-random card challenge (i bit 40): first 6 bytes of the retail MAC with C-MAC key over the SD's AID (E.4.2.1). */
export function scp02PseudoRandomChallenge(cmacKey: Uint8Array, aid: Uint8Array): Uint8Array {
  return retailMac(cmacKey, aid).slice(0, 6);
}

/** SW 9000, 62xx and 63xx carry protection; errors answer a bare SW (same rule as amendment D 6.2.5). */
export function protectsResponse(sw: number): boolean {
  return sw === SW.OK || sw >> 8 === 0x62 || sw >> 8 === 0x63;
}

/** Lc as it appears in a MAC input: one byte, or 00 Lc1 Lc2 when extended. */
export function lcField(n: number): Uint8Array {
  return n <= 255 ? Uint8Array.of(n) : Uint8Array.of(0, n >> 8, n & 0xff);
}

/** One SCP02 session's secure messaging state, for either side. */
export class Scp02Session {
  readonly keys: Scp02SessionKeys;
  readonly i: number;
  #lastCmac: Uint8Array | undefined;
  #ricv: Uint8Array = new Uint8Array(8);
  #rmacCommand: Uint8Array | undefined;

  constructor(keys: Scp02SessionKeys, i: number) {
    this.keys = keys;
    this.i = i;
  }

  /** The ICV of the next C-MAC: zero first (EXTERNAL AUTHENTICATE), then the previous C-MAC, DES-encrypted when i says so (E.4.4). */
  #icv(): Uint8Array {
    const last = this.#lastCmac;
    if (last === undefined) return new Uint8Array(8);
    return this.i & SCP02_I.ICV_ENCRYPTION ? desEcbEncrypt(this.keys.cmac.subarray(0, 8), last) : last;
  }

  /** C-MAC over the modified header (CLA with bit 04, Lc + 8) and the plain data. */
  #cmac(cla: number, cmd: CommandApdu, plain: Uint8Array): Uint8Array {
    const input = concat(cla | 0x04, cmd.ins, cmd.p1, cmd.p2, lcField(plain.length + 8), plain);
    return retailMac(this.keys.cmac, input, this.#icv());
  }

  #noteRmacCommand(cla: number, cmd: CommandApdu, plain: Uint8Array, level: number): void {
    this.#rmacCommand = level & LEVEL_BIT.R_MAC ? concat(cla & ~0x07, cmd.ins, cmd.p1, cmd.p2, plain.length & 0xff, plain) : undefined;
  }

  #rmac(data: Uint8Array, sw: number): Uint8Array {
    const input = concat(this.#rmacCommand ?? new Uint8Array(0), data.length & 0xff, data, u16(sw));
    return retailMac(this.keys.rmac, input, this.#ricv);
  }

  /** Host: protect a plain command (CLA without bit 04) at `level`. */
  wrapCommand(cmd: CommandApdu, level: number): CommandApdu {
    this.#noteRmacCommand(cmd.cla, cmd, cmd.data, level);
    if (!(level & LEVEL_BIT.C_MAC)) return cmd;
    const mac = this.#cmac(cmd.cla, cmd, cmd.data);
    this.#lastCmac = mac;
    const body = level & LEVEL_BIT.C_DEC && cmd.data.length > 0 ? tdesCbcEncrypt(this.keys.enc, pad80(cmd.data, 8)) : cmd.data;
    return cmd.with({ cla: cmd.cla | 0x04, data: concat(body, mac) });
  }

  /** Host: check and strip the R-MAC of a response at `level`; throws SecurityError when it does not verify. */
  unwrapResponse(resp: ResponseApdu, level: number): ResponseApdu {
    if (!(level & LEVEL_BIT.R_MAC)) return resp;
    if (!protectsResponse(resp.sw) && resp.data.length === 0) return resp;
    if (resp.data.length < 8) throw new SecurityError(`Response without R-MAC (${resp.data.length} data bytes) in an R-MAC session`);
    const data = resp.data.subarray(0, resp.data.length - 8);
    const expected = this.#rmac(data, resp.sw);
    if (!equalConstantTime(expected, resp.data.subarray(data.length))) {
      throw new SecurityError("Response R-MAC does not verify: the response was altered or the session is out of step");
    }
    this.#ricv = expected;
    return new ResponseApdu(data.slice(), resp.sw);
  }

  /** Card: verify the C-MAC and decrypt; the plain command, or the SW to answer. */
  unwrapCommand(cmd: CommandApdu, level: number): CommandApdu | number {
    if (!(level & LEVEL_BIT.C_MAC)) {
      if (cmd.cla & 0x04) return SW.SECURITY_STATUS_NOT_SATISFIED;
      this.#noteRmacCommand(cmd.cla, cmd, cmd.data, level);
      return cmd;
    }
    if (!(cmd.cla & 0x04) || cmd.data.length < 8) return SW.SECURITY_STATUS_NOT_SATISFIED;
    const body = cmd.data.subarray(0, cmd.data.length - 8);
    const mac = cmd.data.subarray(body.length);
    let plain: Uint8Array = body;
    if (level & LEVEL_BIT.C_DEC && body.length > 0) {
      if (body.length % 8 !== 0) return SW.SM_DATA_INCORRECT;
      try {
        plain = unpad80(tdesCbcDecrypt(this.keys.enc, body));
      } catch {
        return SW.SM_DATA_INCORRECT;
      }
    }
    const cla = cmd.cla & ~0x04;
    if (!equalConstantTime(this.#cmac(cla, cmd, plain), mac)) return SW.SECURITY_STATUS_NOT_SATISFIED;
    this.#lastCmac = mac.slice();
    this.#noteRmacCommand(cla, cmd, plain, level);
    return cmd.with({ cla, data: plain.slice() });
  }

  /** Card: add the R-MAC to a response when `level` asks for it. */
  wrapResponse(resp: ResponseApdu, level: number): ResponseApdu {
    if (!(level & LEVEL_BIT.R_MAC) || !protectsResponse(resp.sw)) return resp;
    const mac = this.#rmac(resp.data, resp.sw);
    this.#ricv = mac;
    return new ResponseApdu(concat(resp.data, mac), resp.sw);
  }
}
