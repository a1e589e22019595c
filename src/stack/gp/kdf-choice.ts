/**
 * Which key diversification a card expects, found without asking the card
 * twice (quirk diversifiedKeys). INITIALIZE UPDATE returns the card's
 * cryptogram over both challenges with its session keys; the terminal
 * computes that cryptogram for each derivation the protocol allows (SCP02:
 * none, EMV CPS 1.1, VISA2; SCP03: none, KDF3) from the one answer, and
 * goes on only when they agree on the keys. EXTERNAL AUTHENTICATE, which
 * the card counts toward locking, is sent once, with the keys that matched,
 * or not at all.
 */
import { equalConstantTime, hexNumber } from "../bytes.ts";
import { SecurityError, UsageError } from "../errors.ts";
import { diversify, type Kdf, type StaticKeys } from "./keys.ts";

/** What one candidate key set gives: the session, the card cryptogram it expects, the host cryptogram to send. */
export interface Cryptograms<S> {
  session: S;
  expected: Uint8Array;
  hostCryptogram: Uint8Array;
}

/** Derivations worth trying per protocol (GP 2.3.1 E.4.1 for SCP02's 3DES keys; KDF3 for SCP03's AES keys). */
export const KDF_CANDIDATES = { 2: ["none", "emv", "visa2"], 3: ["none", "kdf3"] } as const satisfies Record<2 | 3, readonly Kdf[]>;

/** The chosen derivation, its keys and what they give. */
export interface KdfChoice<S> extends Cryptograms<S> {
  kdf: Kdf;
  keys: StaticKeys;
  /** True when no derivation was asked for and the card's cryptogram chose it. */
  fromCard: boolean;
}

const MISMATCH =
  "Card cryptogram does not match: wrong key or key diversification (no EXTERNAL AUTHENTICATE sent; repeated failures can lock the card)";

/** Static keys of the right type for the protocol the card answered. */
export function keysFor(keys: StaticKeys, scp: 2 | 3): StaticKeys {
  if (scp === 3) return keys.type === "AES" ? keys : keys.withType("AES");
  if (keys.enc.length !== 16 || keys.mac.length !== 16 || keys.dek.length !== 16) {
    throw new UsageError("SCP02 needs 16-byte 3DES keys; this card speaks SCP02, so give a 32-hex-digit key");
  }
  return keys.type === "3DES" ? keys : keys.withType("3DES");
}

/**
 * The derivation whose card cryptogram matches the card's: `asked` alone
 * when given (a match under another one is named in the error), else every
 * candidate of the protocol. Several matching candidates are fine when they
 * give the same keys (a KDD of all 00 makes EMV and VISA2 agree); otherwise
 * the user must say --kdf.
 */
export function chooseKdf<S>(
  options: { keys: StaticKeys; kdf?: Kdf },
  scp: 2 | 3,
  card: { kdd: Uint8Array; cryptogram: Uint8Array; keyVersion?: number },
  derive: (keys: StaticKeys) => Cryptograms<S>,
): KdfChoice<S> {
  const base = keysFor(options.keys, scp);
  const candidates: readonly Kdf[] = options.kdf === undefined ? KDF_CANDIDATES[scp] : [options.kdf, ...KDF_CANDIDATES[scp].filter((k) => k !== options.kdf)];
  const matches: KdfChoice<S>[] = [];
  for (const kdf of candidates) {
    let keys: StaticKeys;
    try {
      keys = diversify(base, kdf, card.kdd);
    } catch (error) {
      if (kdf === options.kdf) throw error; // The asked derivation does not fit these keys: say so.
      continue;
    }
    const c = derive(keys);
    if (equalConstantTime(c.expected, card.cryptogram)) matches.push({ ...c, kdf, keys, fromCard: options.kdf === undefined });
  }
  const tried = options.kdf ?? candidates.join(", ");
  const asked = options.kdf === undefined ? matches : matches.filter((m) => m.kdf === options.kdf);
  if (asked.length === 0) {
    const other = matches[0];
    // Which key set the card used (INITIALIZE UPDATE's key version, GP 2.3.1 E.5.1.3): check values only, never keys.
    const version = card.keyVersion === undefined ? "" : `the card answered with key set version ${card.keyVersion} (0x${hexNumber(card.keyVersion)}); `;
    throw new SecurityError(MISMATCH, {
      hint: other
        ? `the card's cryptogram matches these keys with --kdf ${other.kdf}, not ${options.kdf}`
        : `${version}key KCVs ENC ${base.kcvs.enc} MAC ${base.kcvs.mac}, diversification tried: ${tried}`,
    });
  }
  const first = asked[0]!;
  if (asked.some((m) => m.keys.kcvs.enc !== first.keys.kcvs.enc || m.keys.kcvs.mac !== first.keys.kcvs.mac || m.keys.kcvs.dek !== first.keys.kcvs.dek)) {
    throw new UsageError(
      `The card's cryptogram matches these keys under more than one diversification (${asked.map((m) => m.kdf).join(", ")}): say which with --kdf; no EXTERNAL AUTHENTICATE was sent`,
    );
  }
  return first;
}
