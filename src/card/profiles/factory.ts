/**
 * What a profile puts in a new card memory: the ISD's AID and life cycle,
 * the serial (the key diversification data INITIALIZE UPDATE sends), and
 * the factory key set, diversified from the master key as the card's maker
 * does (EMV CPS 1.1, VISA2, KDF3: stack/gp/keys.ts).
 */
import { fromHex } from "../../stack/bytes.ts";
import { UsageError } from "../../stack/errors.ts";
import { CARD_LIFECYCLE } from "../../stack/gp/constants.ts";
import { diversify, StaticKeys } from "../../stack/gp/keys.ts";
import type { CardProfile } from "./profile.ts";

export interface ProfileFactory {
  isdAid: Uint8Array;
  cardLifecycle: number;
  serial: Uint8Array;
  keySet: { version: number; scp: 2 | 3; enc: Uint8Array; mac: Uint8Array; dek: Uint8Array };
  /** The i parameter of the profile's protocol. */
  i: number;
}

/** 40 41 42 ... for `length` bytes: the GlobalPlatform test key, continued for AES-192/256. */
export function defaultMasterKey(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, n) => 0x40 + n);
}

/**
 * The factory settings of a card of profile `p`. `master` (webcard sim --key)
 * replaces the profile's master key, `scp` (--scp) its protocol, when given.
 */
export function factoryOf(p: CardProfile, over: { master?: Uint8Array; scp?: 2 | 3 } = {}): ProfileFactory {
  const scp = over.scp ?? p.keys.scp;
  const kdf = p.keys.kdf;
  if (scp !== p.keys.scp && kdf !== "none") {
    throw new UsageError(`Profile ${p.name} diversifies its keys with ${kdf.toUpperCase()} for SCP0${p.keys.scp}: --scp 0${scp} does not go with it`);
  }
  const master = over.master ?? (p.keys.master === "default" ? defaultMasterKey(p.keys.length) : fromHex(p.keys.master));
  const serial = p.keys.kdd === "random" ? crypto.getRandomValues(new Uint8Array(10)) : fromHex(p.keys.kdd);
  const statics = new StaticKeys({ enc: master, mac: master, dek: master, type: scp === 2 ? "3DES" : "AES" });
  const keys = diversify(statics, kdf, serial);
  return {
    isdAid: fromHex(p.isd.aid),
    cardLifecycle: CARD_LIFECYCLE[p.isd.lifecycle],
    serial,
    keySet: { version: parseInt(p.keys.version, 16), scp, enc: keys.enc, mac: keys.mac, dek: keys.dek },
    // With another protocol than the profile's (--scp), that protocol's usual i: SCP02 55, SCP03 70.
    i: scp === p.keys.scp ? parseInt(p.keys.i, 16) : scp === 2 ? 0x55 : 0x70,
  };
}
