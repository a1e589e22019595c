/**
 * A card profile: how one real card behaves toward a GlobalPlatform loader,
 * as data (one JSON file per card, docs/profiles.md). The simulated card
 * reads these parameters; no card has a code branch of its own. Facts come
 * from public APDU traces (../shared/docs/REAL-CARDS.md, cited in `source`).
 * Hex values are strings in the file, as they appear in the traces.
 */
import type { JavaCardVersion } from "../../stack/cap/javacard-api.ts";
import type { Kdf } from "../../stack/gp/keys.ts";

/** Card life cycle states a card may ship in (GP 2.3.1 section 5.1.1). */
export const SHIPPED_LIFECYCLES = ["OP_READY", "INITIALIZED", "SECURED", "CARD_LOCKED"] as const;
export type ShippedLifecycle = (typeof SHIPPED_LIFECYCLES)[number];

/** GlobalPlatform versions a card's recognition data (tag 60) names (GP 2.3.1 H.2). */
export const GP_VERSIONS = ["2.1.1", "2.2", "2.2.1", "2.3.1"] as const;
export type GpVersion = (typeof GP_VERSIONS)[number];

/** What a GET DATA or another command answers instead of the spec's default: data (hex), or a status word alone. */
export type Answer = { data: string } | { sw: string };

export interface CardProfile {
  /** Short name for `--profile` (lower case, digits, '-'). */
  name: string;
  /** The product as its maker sells it. */
  title: string;
  maker: string;
  /** Where the facts come from: the REAL-CARDS.md section and its public sources. */
  source: string;
  /** Answer To Reset, hex (ISO/IEC 7816-3 section 8), as the traces show it. */
  atr: string;
  /** Transmission protocol: T=0 cards answer 61xx / 6Cxx (ISO/IEC 7816-3 section 10.3). */
  protocol: "T=0" | "T=1";
  /**
   * T=0, a warning (62xx/63xx) with data: "procedure" (61xx, the warning on the
   * last GET RESPONSE; the default) or "alone" (the warning without data, then
   * GET RESPONSE gives the data with 9000, as operator UICCs do: GPP#124).
   */
  t0Warnings?: "procedure" | "alone";
  /**
   * Bit rate in bit/s when the ATR does not tell it (contactless cards: ISO/IEC
   * 14443 106 kbit/s); otherwise computed from TA1 (Fi/Di) at `clockHz`.
   */
  bitRate?: number;
  /** Reader clock for the bit rate from TA1 (default 3.57 MHz, ISO/IEC 7816-3 section 7.1). */
  clockHz?: number;
  isd: {
    /** The ISD's AID (the default selected application). */
    aid: string;
    /** Card life cycle state out of the box. */
    lifecycle: ShippedLifecycle;
  };
  /** The ISD's answer to SELECT (GP 2.3.1 section 11.9.3.1). */
  fci: {
    /**
     * Tag 73 in A5 (and GET DATA 66): "full" (GP OID, version, SCP, Java Card),
     * "oid-only" (the GP OID alone), "none", or the trace's own 73 TLV in hex.
     */
    recognitionData: "full" | "oid-only" | "none" | string;
    /** Tag 9F6E (application production life cycle data), hex, when the card sends one. */
    productionData?: string;
    /** Tag 9F65 (maximum length of command data): announced or not. Its value is `load.maxBlock`. */
    maxBlockTag: boolean;
    /** Order of the elements inside A5, as the trace shows it. */
    order: "73-9F6E-9F65" | "9F65-9F6E-73";
    /** SELECT without Le: the FCI as usual, or 9000 alone (JCOP3 SECID). */
    withoutLe: "fci" | "sw-only";
  };
  /** GlobalPlatform version in the card recognition data. */
  gpVersion: GpVersion;
  /** The factory key set and how INITIALIZE UPDATE answers (GP 2.3.1 E.5.1.6, amendment D 7.1.1.6). */
  keys: {
    scp: 2 | 3;
    /** The i parameter (SCP02 15 or 55; SCP03 00, 10 or 70), hex. */
    i: string;
    /** Key version number of the factory key set, hex. */
    version: string;
    /** Length of each static key: 16 (3DES or AES-128), 24 or 32 (AES). */
    length: 16 | 24 | 32;
    /** How the card's keys derive from the issuer's master key and the KDD. */
    kdf: Kdf;
    /** The master key (hex), or "default" for 404142...4F (and its first 24/32 bytes continue 50...). */
    master: string;
    /** Key diversification data (10 bytes, hex) as the card sends it; "random" for a new serial per card. */
    kdd: string;
  };
  /** GET DATA answers that differ from the spec default (tag hex -> answer): CPLC, IIN, CIN, key information... */
  getData: Record<string, Answer>;
  /** GET DATA with CLA 00: answered like CLA 80, or refused with this SW (UICCs: 6E00). */
  getDataIsoCla?: string;
  /** GET STATUS (GP 2.3.1 section 11.4). */
  getStatus: {
    /** Tagged format (P2 02): answered, or refused with this SW. */
    tagged: true | string;
    /** GP 2.1.1 legacy format (P2 00): answered, or refused with this SW. */
    legacy: true | string;
    /** P1 subsets refused (P1 hex -> SW): "10" -> "6A81" on cards without module listing. */
    refuse?: Record<string, string>;
    /** Paging on 6310: whole entries per response, or cut at the byte limit (a TLV split across responses). */
    paging: "entries" | "bytes";
    /** Every tagged entry inside one E3 (sysmoUSIM-SJS1). */
    oneTemplate?: boolean;
  };
  load: {
    /** Largest LOAD data the card takes (and announces in 9F65). */
    maxBlock: number;
  };
  /** Java Card release: its API packages and CAP formats. */
  javaCard: JavaCardVersion;
  /** Persistent memory free for content, bytes. */
  memoryBytes: number;
  /** Failed EXTERNAL AUTHENTICATE commands after which the ISD locks for good. */
  authFailureLimit: number;
  /** The web-card link application is on the card (only webcard's own card). */
  link: boolean;
  /** Real-card timing for `--timing` (milliseconds), from the traces' timings. */
  timing: {
    /** Fixed cost of every command beside the transfer. */
    apduMs: number;
    /** Cost of writing one byte of LOAD data to the card's memory. */
    loadByteMs: number;
    /** Commands that take longer than the fixed cost (INS hex -> ms, in place of apduMs). */
    byIns?: Record<string, number>;
    /** Where the figures come from. */
    source: string;
  };
  /** Status words the traces show, what they were answered to (documentation; the simulated ones are above). */
  statusWords?: Record<string, string>;
  /** Facts of the card this profile does not simulate, said plainly. */
  notSimulated?: string[];
}
