/** Every native of the card's API, by class name. docs/jcvm.md lists what is implemented. */
import type { NativeTable } from "./native.ts";
import { exceptionNatives, LANG } from "./lang.ts";
import { UTIL } from "./util.ts";
import { APDU } from "./apdu.ts";
import { APPLET_AID } from "./applet-aid.ts";
import { OWNER_PIN } from "./owner-pin.ts";
import { JCSYSTEM } from "./jcsystem.ts";
import { CRYPTO_BASIC } from "./crypto-basic.ts";
import { KEYS } from "./keys.ts";
import { CIPHER } from "./cipher.ts";
import { KEY_PAIR } from "./keypair.ts";
import { SIGNATURE } from "./signature.ts";
import { KEY_AGREEMENT } from "./key-agreement.ts";
import { CHECKSUM } from "./checksum.ts";

function merge(...tables: Record<string, NativeTable>[]): Record<string, NativeTable> {
  const out: Record<string, NativeTable> = {};
  for (const t of tables) for (const [cls, methods] of Object.entries(t)) out[cls] = { ...out[cls], ...methods };
  return out;
}

export const NATIVES: Readonly<Record<string, NativeTable>> = merge(LANG, exceptionNatives(), UTIL, APDU, APPLET_AID, OWNER_PIN, JCSYSTEM, CRYPTO_BASIC, KEYS, CIPHER, KEY_PAIR, SIGNATURE, KEY_AGREEMENT, CHECKSUM);
