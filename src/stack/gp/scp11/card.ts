/**
 * The card side of SCP11 (GP amendment F sections 3 and 7): the security
 * domain's certificate store, PERFORM SECURITY OPERATION receiving the OCE
 * certificate chain, and MUTUAL / INTERNAL AUTHENTICATE answering with its
 * (ephemeral) key and the receipt. It opens a session of SCP03 secure
 * messaging (Scp03Session) for the caller to install; it logs nothing and
 * returns a status word with a one-line reason on refusal.
 */
import { createHash } from "node:crypto";
import { hexNumber as hex } from "../../bytes.ts";
import type { CommandApdu } from "../../apdu.ts";
import { FormatError } from "../../errors.ts";
import { SW } from "../../status-words.ts";
import { encodeTlv, parseTlvs } from "../../tlv.ts";
import { Scp03Session } from "../scp03.ts";
import { CERT_TAG, ChainError, parseCertificate, verifyChain, type GpCertificate } from "./certificate.ts";
import { ecdh, generateEcKey, type EcKey } from "./curves.ts";
import {
  levelOfUsage,
  parseAuthenticateData,
  SCP11_INS,
  SCP11_KID,
  SCP11_TAG,
  scp11Receipt,
  scp11SessionKeys,
  type Scp11Variant,
} from "./handshake.ts";

/** What the security domain holds for SCP11. */
export interface Scp11CardKeys {
  /** Key version number of the SD's ECKA key (P1 of the commands). */
  kvn: number;
  /** Variants the card accepts; each answers on its key identifier (11a 11, 11b 13, 11c 15). */
  variants: readonly Scp11Variant[];
  /** SK.SD.ECKA and PK.SD.ECKA. */
  sd: EcKey & { d: Uint8Array };
  /** The SD's certificate chain (7F21 ...), CA side first, the ECKA certificate last. */
  certificates: Uint8Array;
  /** The CA-KLOC the card trusts for OCE certificates (its public key and identifier). */
  oceCa: { key: EcKey; id: Uint8Array };
  /** 8 (S8) or 16 (S16). */
  macLength: 8 | 16;
}

export type Refusal = { sw: number; reason: string };
export type Opened = { session: Scp03Session; level: number; variant: Scp11Variant; response: Uint8Array; ePkOce: Uint8Array };

const MORE_CERTIFICATES = 0x80;

/** A short digest of an ephemeral key, to recognise a replayed authenticate command. */
export function ephemeralDigest(ePkOce: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(ePkOce).digest()).slice(0, 16);
}

export class CardScp11 {
  readonly #keys: Scp11CardKeys;
  readonly #now: () => Date;
  /** Certificates received so far in a PERFORM SECURITY OPERATION sequence. */
  #received: GpCertificate[] = [];
  /** PK.OCE.ECKA once its chain verified; cleared by any new session attempt. */
  #oce: EcKey | undefined;

  constructor(keys: Scp11CardKeys, now: () => Date = () => new Date()) {
    this.#keys = keys;
    this.#now = now;
  }

  #variantOfKid(kid: number): Scp11Variant | undefined {
    return this.#keys.variants.find((v) => SCP11_KID[v] === kid);
  }

  /** Forget the certificates received and the OCE key verified (new selection, power off). */
  reset(): void {
    this.#received = [];
    this.#oce = undefined;
  }

  /** GET DATA BF21 with data A6 { 83 { KID KVN } }: the certificate store of that key (amendment F 7.4). */
  certificateStore(data: Uint8Array): Uint8Array | Refusal {
    let kid: number | undefined;
    let kvn: number | undefined;
    try {
      const a6 = parseTlvs(data).find((t) => t.tag === 0xa6);
      const ref = a6 && parseTlvs(a6.value).find((t) => t.tag === 0x83);
      if (ref?.value.length === 2) [kid, kvn] = [ref.value[0]!, ref.value[1]!];
    } catch {
      return { sw: SW.WRONG_DATA, reason: "the key reference (A6 { 83 KID KVN }) is not BER-TLV" };
    }
    if (kid === undefined || kvn === undefined) return { sw: SW.WRONG_DATA, reason: "the data must be A6 { 83 02 KID KVN }" };
    if (this.#variantOfKid(kid) === undefined || kvn !== this.#keys.kvn) {
      return { sw: SW.REFERENCED_DATA_NOT_FOUND, reason: `no SCP11 key ${hex(kid)}/${hex(kvn)}` };
    }
    return encodeTlv(CERT_TAG.STORE, this.#keys.certificates);
  }

  /** PERFORM SECURITY OPERATION: one OCE certificate; P1 = KVN (b8: more follow), P2 = KID of the CA-KLOC (amendment F 7.3). */
  performSecurityOperation(cmd: CommandApdu): Refusal | { sw: number } {
    this.#oce = undefined;
    if (cmd.p2 !== SCP11_KID.OCE || (cmd.p1 & ~MORE_CERTIFICATES) !== this.#keys.kvn) {
      this.#received = [];
      return { sw: SW.REFERENCED_DATA_NOT_FOUND, reason: `no CA-KLOC key ${hex(cmd.p2)}/${hex(cmd.p1 & 0x7f)}` };
    }
    try {
      this.#received.push(parseCertificate(cmd.data));
    } catch (e) {
      this.#received = [];
      return { sw: SW.WRONG_DATA, reason: `OCE certificate: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (this.#received.length > 4) {
      this.#received = [];
      return { sw: SW.WRONG_DATA, reason: "OCE certificate chain longer than 4" };
    }
    if (cmd.p1 & MORE_CERTIFICATES) return { sw: SW.OK };
    const chain = this.#received;
    this.#received = [];
    try {
      this.#oce = verifyChain(chain, this.#keys.oceCa, this.#now()).publicKey;
      return { sw: SW.OK };
    } catch (e) {
      // Amendment F 7.3.3: a certificate that does not verify is 6A80.
      const reason = e instanceof ChainError ? e.message : `OCE certificate: ${e instanceof Error ? e.message : String(e)}`;
      return { sw: SW.WRONG_DATA, reason };
    }
  }

  /**
   * MUTUAL AUTHENTICATE (80 82) or INTERNAL AUTHENTICATE (80 88): key
   * agreement; `replayed` tells whether this ePK.OCE opened a session before.
   */
  authenticate(cmd: CommandApdu, replayed: (digest: Uint8Array) => boolean): Opened | Refusal {
    const oce = this.#oce;
    this.#oce = undefined;
    const variant = this.#variantOfKid(cmd.p2);
    if (variant === undefined || cmd.p1 !== this.#keys.kvn) {
      return { sw: SW.REFERENCED_DATA_NOT_FOUND, reason: `no SCP11 key ${hex(cmd.p2)}/${hex(cmd.p1)}` };
    }
    const wantIns = variant === "b" ? SCP11_INS.INTERNAL_AUTHENTICATE : SCP11_INS.MUTUAL_AUTHENTICATE;
    if (cmd.ins !== wantIns) {
      return { sw: SW.CONDITIONS_NOT_SATISFIED, reason: `SCP11${variant} uses ${variant === "b" ? "INTERNAL" : "MUTUAL"} AUTHENTICATE` };
    }
    let parsed: ReturnType<typeof parseAuthenticateData>;
    try {
      parsed = parseAuthenticateData(cmd.data);
    } catch (e) {
      return { sw: SW.WRONG_DATA, reason: e instanceof FormatError ? e.message : String(e) };
    }
    const { crt, crtBytes, ePkOce } = parsed;
    if (crt.variant !== variant) {
      return { sw: SW.WRONG_DATA, reason: `the control reference asks for SCP11${crt.variant} on the SCP11${variant} key` };
    }
    if (variant !== "b" && !oce) {
      return { sw: SW.CONDITIONS_NOT_SATISFIED, reason: "no verified OCE certificate: send it with PERFORM SECURITY OPERATION first" };
    }
    const sd = this.#keys.sd;
    if (replayed(ephemeralDigest(ePkOce))) {
      return { sw: SW.SECURITY_STATUS_NOT_SATISFIED, reason: "this ePK.OCE opened a session before: a replayed authenticate command" };
    }
    let keys: ReturnType<typeof scp11SessionKeys>;
    let ePkSd: Uint8Array;
    try {
      // 11c: no ephemeral key on the card; the static key answers (amendment F 3.1.3).
      const eSd = variant === "c" ? sd : generateEcKey(sd.curve);
      ePkSd = eSd.point;
      const shSee = ecdh(sd.curve, eSd.d, ePkOce);
      const shSes = ecdh(sd.curve, sd.d, variant === "b" ? ePkOce : oce!.point);
      keys = scp11SessionKeys(shSee, shSes, crt.usage, crt.keyLength);
    } catch (e) {
      return { sw: SW.WRONG_DATA, reason: `ePK.OCE: ${e instanceof Error ? e.message : String(e)}` };
    }
    const receipt = scp11Receipt(keys.receipt, crtBytes, ePkOce, ePkSd);
    const session = new Scp03Session(keys, 0x00, { chain: receipt, macLength: this.#keys.macLength });
    const response = new Uint8Array([...encodeTlv(SCP11_TAG.EPHEMERAL_KEY, ePkSd), ...encodeTlv(SCP11_TAG.RECEIPT, receipt)]);
    return { session, level: levelOfUsage(crt.usage), variant, response, ePkOce };
  }
}

