/**
 * What a card says about itself without authentication: the ISD and its FCI,
 * and the GET DATA objects (CPLC, IIN, CIN, card recognition data, key
 * information). Objects a card does not have are left out, never an error.
 */
import { inTransaction, send, type Transport } from "../../stack/transport/transport.ts";
import { getData } from "../../stack/gp/commands.ts";
import { DATA_TAG, CLA } from "../../stack/gp/constants.ts";
import { parseCplc, type CplcField } from "../../stack/gp/cplc.ts";
import { parseCardRecognition, type CardRecognition } from "../../stack/gp/card-data.ts";
import { parseKeyInformation, type KeyInfo } from "../../stack/gp/key-info.ts";
import { parseTlvs } from "../../stack/tlv.ts";
import { toHex } from "../../stack/bytes.ts";
import { hexNumber } from "../../stack/hex.ts";
import type { Quirk } from "../../stack/gp/quirks.ts";
import type { Fci } from "../../stack/gp/fci.ts";
import { discoverIsd } from "./discover.ts";
import { CommandApdu } from "../../stack/apdu.ts";
import { encodeTlv } from "../../stack/tlv.ts";
import { parseCertificate, splitCertificates } from "../../stack/gp/scp11/certificate.ts";
import { fingerprint } from "../../stack/gp/scp11/fingerprint.ts";
import { SCP11_KID } from "../../stack/gp/scp11/handshake.ts";

/** An SCP11 key of the card (KID 11, 13, 15) with what its certificate says: identifiers and a fingerprint, never the key. */
export interface Scp11KeyInfo {
  kid: number;
  kvn: number;
  variant: "11a" | "11b" | "11c";
  curve?: string;
  subject?: string;
  issuer?: string;
  expires?: string;
  fingerprint?: string;
  /** Certificates in the store (CA side first, the ECKA one last). */
  chain?: number;
}

/** ECC public and private key components (GP 2.3.1 table 11-16): an SD's ECKA key shows as either. */
const ECC_KEY = [0xb0, 0xb1];

/** GET DATA BF21 for each SCP11 key the key information lists (amendment F 7.4). */
async function scp11Keys(transport: Transport, keys: KeyInfo[]): Promise<Scp11KeyInfo[]> {
  const out: Scp11KeyInfo[] = [];
  for (const k of keys) {
    const variant = k.id === SCP11_KID.a ? "11a" : k.id === SCP11_KID.b ? "11b" : k.id === SCP11_KID.c ? "11c" : undefined;
    if (!variant || !k.components.some((c) => ECC_KEY.includes(c.type))) continue;
    const entry: Scp11KeyInfo = { kid: k.id, kvn: k.version, variant };
    const r = await send(transport, new CommandApdu({ cla: CLA.GP, ins: 0xca, p1: 0xbf, p2: 0x21, data: encodeTlv(0xa6, encodeTlv(0x83, Uint8Array.of(k.id, k.version))), ne: 256 }));
    const certs = r.ok ? attempt(() => splitCertificates(r.data)) : undefined;
    const last = certs?.length ? attempt(() => parseCertificate(certs[certs.length - 1]!)) : undefined;
    if (certs) entry.chain = certs.length;
    if (last) {
      Object.assign(entry, {
        curve: last.publicKey.curve.name,
        subject: toHex(last.subjectId),
        issuer: toHex(last.caKlocId),
        expires: last.expiration.toISOString().slice(0, 10),
        fingerprint: fingerprint(last.publicKey.point),
      });
    }
    out.push(entry);
  }
  return out;
}

export interface CardInfo {
  isd: Uint8Array;
  fci: Fci;
  cplc?: CplcField[];
  /** Issuer identification number (0042), raw value. */
  iin?: Uint8Array;
  /** Card image number (0045), raw value. */
  cin?: Uint8Array;
  recognition?: CardRecognition;
  keys?: KeyInfo[];
  scp11?: Scp11KeyInfo[];
  /** The CPLC as the card sent it (for reports; `cplc` has it decoded). */
  cplcRaw?: Uint8Array;
  /** Real-card quirks met finding the ISD (stack/gp/quirks.ts). */
  quirks?: Quirk[];
  /** Objects the card did not give: GET DATA tag (hex, 4 digits) -> the status word it answered CLA 80 with. */
  refused?: Record<string, number>;
}

/**
 * GET DATA, trying CLA 80 then 00 (some cards answer CPLC only to one);
 * undefined when absent, with CLA 80's status word noted in `refused`
 * (quirk noCplc: 6A88, 6A86, 6985 on cards that keep it to themselves).
 */
async function getDataValue(transport: Transport, tag: number, refused?: Record<string, number>): Promise<Uint8Array | undefined> {
  let first: number | undefined;
  for (const cla of [CLA.GP, CLA.ISO]) {
    const r = await send(transport, getData(tag, cla));
    if (r.ok) return r.data;
    first ??= r.sw;
  }
  if (refused && first !== undefined) refused[hexNumber(tag, 4)] = first;
  return undefined;
}

/** The value of a simple TLV answer (`42 len IIN`), or the bytes as they came. */
function valueOf(bytes: Uint8Array, tag: number): Uint8Array {
  try {
    const t = parseTlvs(bytes).find((x) => x.tag === tag);
    return t ? t.value : bytes;
  } catch {
    return bytes;
  }
}

function attempt<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch {
    return undefined; // A malformed optional object is left out rather than failing the whole report.
  }
}

/** Read what the card tells without authentication. Selects the ISD (or `isd`). */
export function info(transport: Transport, options: { isd?: Uint8Array } = {}): Promise<CardInfo> {
  return inTransaction(transport, "info", () => readInfo(transport, options));
}

async function readInfo(transport: Transport, options: { isd?: Uint8Array }): Promise<CardInfo> {
  const found = await discoverIsd(transport, options.isd);
  const refused: Record<string, number> = {};
  const out: CardInfo = { isd: found.aid, fci: found.fci, quirks: found.quirks };
  const cplc = await getDataValue(transport, DATA_TAG.CPLC, refused);
  if (cplc) {
    out.cplcRaw = cplc;
    const parsed = attempt(() => parseCplc(cplc));
    if (parsed) out.cplc = parsed;
  }
  const iin = await getDataValue(transport, DATA_TAG.IIN, refused);
  if (iin) out.iin = valueOf(iin, DATA_TAG.IIN);
  const cin = await getDataValue(transport, DATA_TAG.CIN, refused);
  if (cin) out.cin = valueOf(cin, DATA_TAG.CIN);
  const cardData = await getDataValue(transport, DATA_TAG.CARD_DATA, refused);
  if (cardData) {
    const parsed = attempt(() => parseCardRecognition(cardData));
    if (parsed) out.recognition = parsed;
  }
  const keys = await getDataValue(transport, DATA_TAG.KEY_INFORMATION, refused);
  if (keys) {
    const parsed = attempt(() => parseKeyInformation(keys));
    if (parsed) {
      out.keys = parsed;
      const scp11 = await scp11Keys(transport, parsed);
      if (scp11.length > 0) out.scp11 = scp11;
    }
  }
  if (Object.keys(refused).length > 0) out.refused = refused;
  return out;
}

/**
 * The key set versions the card holds, from its key information template
 * (GET DATA E0, GP 11.3.3.1), sorted; empty when the card does not tell.
 */
export async function keyVersionsOnCard(transport: Transport): Promise<number[]> {
  const data = await getDataValue(transport, DATA_TAG.KEY_INFORMATION);
  const keys = data ? attempt(() => parseKeyInformation(data)) : undefined;
  return [...new Set((keys ?? []).map((k) => k.version))].sort((a, b) => a - b);
}
