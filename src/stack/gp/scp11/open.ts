/**
 * The terminal side of SCP11 (GP amendment F section 3) as a Transport
 * wrapper: read the card's certificate store (GET DATA BF21), check its
 * chain against the trusted CA key, for 11a/11c send the OCE certificates
 * (PERFORM SECURITY OPERATION), then MUTUAL AUTHENTICATE (11a, 11c) or
 * INTERNAL AUTHENTICATE (11b), check the receipt, and wrap every later
 * command with SCP03 secure messaging.
 *
 * Nothing is retried: a receipt that does not verify ends the attempt.
 */
import { CommandApdu, MAX_SHORT_NC, ResponseApdu } from "../../apdu.ts";
import { equalConstantTime, toHex } from "../../bytes.ts";
import { SecurityError, SwError, UsageError } from "../../errors.ts";
import { SW } from "../../status-words.ts";
import { encodeTlv, parseTlvs } from "../../tlv.ts";
import { transactionOf, type Transport } from "../../transport/transport.ts";
import { Scp03Session } from "../scp03.ts";
import { messagingTransmit } from "../secure-channel.ts";
import { commandRoom } from "../security-level.ts";
import { keyIdentifier, parseCertificate, splitCertificates, verifyChain } from "./certificate.ts";
import { ecdh, generateEcKey, type EcKey } from "./curves.ts";
import { fingerprint } from "./fingerprint.ts";
import {
  encodeControlReference,
  levelOfUsage,
  SCP11_INS,
  SCP11_KID,
  SCP11_TAG,
  SCP11_USAGE,
  scp11Receipt,
  scp11SessionKeys,
  type Scp11Variant,
} from "./handshake.ts";
import { x509ChainKey } from "./x509.ts";

export interface Scp11Options {
  variant: Scp11Variant;
  /** "mac": C-MAC and R-MAC (usage 34); "enc": also C-DECRYPTION and R-ENCRYPTION (usage 3C). Default "mac". */
  level?: "mac" | "enc";
  /** KVN of the card's SCP11 key (default 1). */
  keyVersion?: number;
  /** Session key length: 16, 24 or 32 bytes (default 16). */
  keyLength?: 16 | 24 | 32;
  /** 8 (S8, default) or 16 (S16). */
  macLength?: 8 | 16;
  /** The CA key that the card's certificate must chain to; without it the card's key is used unverified. */
  ca?: EcKey;
  /** SK.OCE.ECKA and the OCE certificate chain (CA side first), for 11a and 11c. */
  oce?: { key: EcKey; certificates: readonly Uint8Array[] };
  /** Fixed ephemeral key pair (tests only). */
  ephemeral?: EcKey & { d: Uint8Array };
  now?: Date;
}

export interface Scp11Channel extends Transport {
  readonly scp: 11;
  readonly variant: Scp11Variant;
  /** Security level bits in force (11: C-MAC R-MAC, 33: all four). */
  readonly levelByte: number;
  readonly keyVersion: number;
  readonly macLength: 8 | 16;
  readonly maxCommandData: number;
  /** Fingerprint of the card's ECKA key, and whether its chain was checked against a trusted CA key. */
  readonly cardKey: string;
  readonly verified: boolean;
  /** S-DEK, for PUT KEY. */
  readonly dek: Uint8Array;
}

async function send(transport: Transport, cmd: CommandApdu, op: string, hint?: (sw: number) => string | undefined): Promise<Uint8Array> {
  const r = ResponseApdu.parse(await transport.transmit(cmd.toBytes()));
  if (!r.ok) {
    const h = hint?.(r.sw);
    throw new SwError(op, r.sw, h ? { detail: h } : {});
  }
  return r.data;
}

/** The card's certificate store for key KID/KVN: its ECKA key, checked against `ca` when given. */
export async function readCardKey(transport: Transport, kid: number, kvn: number, ca: EcKey | undefined, now: Date): Promise<EcKey> {
  const data = await send(
    transport,
    new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0xbf, p2: 0x21, data: encodeTlv(0xa6, encodeTlv(0x83, Uint8Array.of(kid, kvn))), ne: transport.extendedLength ? 65536 : 256 }),
    "GET DATA BF21 (SCP11 certificates)",
    (sw) => (sw === SW.REFERENCED_DATA_NOT_FOUND ? `the card has no SCP11 key ${toHex(Uint8Array.of(kid, kvn))}: check --scp and --key-version` : undefined),
  );
  const certs = splitCertificates(data);
  if (certs.length === 0) throw new SecurityError("The card's certificate store is empty");
  if (certs[0]![0] !== 0x7f) return x509ChainKey(certs, ca, now);
  const chain = certs.map(parseCertificate);
  if (!ca) return chain[chain.length - 1]!.publicKey;
  return verifyChain(chain, { key: ca, id: keyIdentifier(ca) }, now).publicKey;
}

/** CLA of every command of a chain but the last (ISO/IEC 7816-4 5.3.3: bit 5 of a proprietary class). */
const CLA_CHAINED = 0x90;

/**
 * PERFORM SECURITY OPERATION for each OCE certificate: P1 = KVN (b8 set while
 * more follow), P2 = KID of the OCE's CA-KLOC. A certificate over 255 bytes
 * goes in one extended-length command where the path carries them, else in
 * pieces by command chaining (amendment F 7.3).
 */
async function sendOceCertificates(transport: Transport, kvn: number, certificates: readonly Uint8Array[]): Promise<void> {
  const op = "PERFORM SECURITY OPERATION";
  const hint = (sw: number) => (sw === SW.WRONG_DATA ? "the card refused the OCE certificate: is it issued by the card's CA-KLOC, in date, for key agreement?" : undefined);
  for (const [index, cert] of certificates.entries()) {
    const p1 = kvn | (index < certificates.length - 1 ? 0x80 : 0x00);
    const pieces = cert.length <= MAX_SHORT_NC || transport.extendedLength ? [cert] : chunks(cert, MAX_SHORT_NC);
    for (const [n, data] of pieces.entries()) {
      const cla = n < pieces.length - 1 ? CLA_CHAINED : 0x80;
      await send(transport, new CommandApdu({ cla, ins: SCP11_INS.PERFORM_SECURITY_OPERATION, p1, p2: SCP11_KID.OCE, data }), op, (sw) =>
        sw === SW.COMMAND_CHAINING_NOT_SUPPORTED ? "the card takes no command chaining: use a reader path with extended-length APDUs" : hint(sw),
      );
    }
  }
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.subarray(o, o + size));
  return out;
}

/** Run the SCP11 handshake and return the secure channel as a Transport. */
export async function openScp11Channel(transport: Transport, o: Scp11Options): Promise<Scp11Channel> {
  const { variant } = o;
  const kid = SCP11_KID[variant];
  const kvn = o.keyVersion ?? 1;
  const keyLength = o.keyLength ?? 16;
  const macLength = o.macLength ?? 8;
  const usage = o.level === "enc" ? SCP11_USAGE.ENC : SCP11_USAGE.MAC;
  const now = o.now ?? new Date();
  if (variant !== "b" && !o.oce) throw new UsageError(`SCP11${variant} needs the OCE key and certificate: give --oce-key and --oce-cert`);

  const pkSd = await readCardKey(transport, kid, kvn, o.ca, now);
  if (o.oce && o.oce.key.curve.name !== pkSd.curve.name) {
    throw new UsageError(`The OCE key is ${o.oce.key.curve.name} but the card's key is ${pkSd.curve.name}: use an OCE key on ${pkSd.curve.name}`);
  }
  if (o.oce) await sendOceCertificates(transport, kvn, o.oce.certificates);

  const eOce = o.ephemeral ?? generateEcKey(pkSd.curve);
  const crt = encodeControlReference({ variant, usage, keyLength });
  const ins = variant === "b" ? SCP11_INS.INTERNAL_AUTHENTICATE : SCP11_INS.MUTUAL_AUTHENTICATE;
  const op = variant === "b" ? "INTERNAL AUTHENTICATE" : "MUTUAL AUTHENTICATE";
  const data = await send(
    transport,
    new CommandApdu({ cla: 0x80, ins, p1: kvn, p2: kid, data: new Uint8Array([...crt, ...encodeTlv(SCP11_TAG.EPHEMERAL_KEY, eOce.point)]), ne: 256 }),
    op,
  );
  let ePkSd: Uint8Array | undefined;
  let receipt: Uint8Array | undefined;
  try {
    const tlvs = parseTlvs(data);
    ePkSd = tlvs.find((t) => t.tag === SCP11_TAG.EPHEMERAL_KEY)?.value;
    receipt = tlvs.find((t) => t.tag === SCP11_TAG.RECEIPT)?.value;
  } catch {
    // reported below
  }
  if (!ePkSd || !receipt || receipt.length !== 16) throw new SecurityError(`${op} answer is not 5F49 ePK.SD | 86 10 receipt (${data.length} bytes)`);
  if (variant === "c" && !equalConstantTime(ePkSd, pkSd.point)) {
    throw new SecurityError("In SCP11c the card must answer its certified static key, and this one differs");
  }
  const shSee = ecdh(pkSd.curve, eOce.d, ePkSd);
  const shSes = ecdh(pkSd.curve, variant === "b" ? eOce.d : o.oce!.key.d!, pkSd.point);
  const keys = scp11SessionKeys(shSee, shSes, usage, keyLength);
  if (!equalConstantTime(scp11Receipt(keys.receipt, crt, eOce.point, ePkSd), receipt)) {
    throw new SecurityError("The card's receipt does not verify: the answer was altered or the card does not hold the certified key; no session opened");
  }
  const session = new Scp03Session(keys, 0x00, { chain: receipt, macLength });
  const levelByte = levelOfUsage(usage);
  const levelName = o.level ?? "mac";
  const maxCommandData = commandRoom(MAX_SHORT_NC, levelByte, 16, macLength);
  const wrapped = messagingTransmit(transport, session, levelByte, { levelName, maxCommandData, scp: 3, macLength });
  let first = true;
  return {
    name: transport.name,
    extendedLength: transport.extendedLength,
    scp: 11,
    variant,
    levelByte,
    keyVersion: kvn,
    macLength,
    maxCommandData,
    cardKey: fingerprint(pkSd.point),
    verified: o.ca !== undefined,
    dek: keys.dek,
    close: () => transport.close?.() ?? Promise.resolve(),
    ...transactionOf(transport),
    transmit: async (bytes) => {
      const answer = await wrapped(bytes);
      // A bare 6982 to the session's first command: the card did not accept its C-MAC. With a verified
      // receipt the keys agree, so the MAC length differs: S8 or S16 is how the card's keys are set up.
      if (first && answer.length === 2 && answer[0] === 0x69 && answer[1] === 0x82) {
        throw new SecurityError(`The card refused the first command of the SCP11 session (6982): it did not accept its ${macLength}-byte C-MAC`, {
          hint: macLength === 8 ? "a card whose SCP11 keys are in S16 mode checks 16-byte MACs: add --s16" : "a card whose SCP11 keys are in S8 mode checks 8-byte MACs: leave out --s16",
        });
      }
      first = false;
      return answer;
    },
  };
}

