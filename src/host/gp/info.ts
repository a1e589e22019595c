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
import type { Fci } from "../../stack/gp/fci.ts";
import { discoverIsd } from "./discover.ts";

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
}

/** GET DATA, trying CLA 80 then 00 (some cards answer CPLC only to one); undefined when absent. */
async function getDataValue(transport: Transport, tag: number): Promise<Uint8Array | undefined> {
  for (const cla of [CLA.GP, CLA.ISO]) {
    const r = await send(transport, getData(tag, cla));
    if (r.ok) return r.data;
  }
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
  const out: CardInfo = { isd: found.aid, fci: found.fci };
  const cplc = await getDataValue(transport, DATA_TAG.CPLC);
  if (cplc) {
    const parsed = attempt(() => parseCplc(cplc));
    if (parsed) out.cplc = parsed;
  }
  const iin = await getDataValue(transport, DATA_TAG.IIN);
  if (iin) out.iin = valueOf(iin, DATA_TAG.IIN);
  const cin = await getDataValue(transport, DATA_TAG.CIN);
  if (cin) out.cin = valueOf(cin, DATA_TAG.CIN);
  const cardData = await getDataValue(transport, DATA_TAG.CARD_DATA);
  if (cardData) {
    const parsed = attempt(() => parseCardRecognition(cardData));
    if (parsed) out.recognition = parsed;
  }
  const keys = await getDataValue(transport, DATA_TAG.KEY_INFORMATION);
  if (keys) {
    const parsed = attempt(() => parseKeyInformation(keys));
    if (parsed) out.keys = parsed;
  }
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
