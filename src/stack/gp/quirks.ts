/**
 * The ways real cards depart from a clean GlobalPlatform 2.3 card toward a
 * loader, as public traces show them (shared docs REAL-CARDS.md), each named
 * once so the code that copes with it, its test and `webcard doctor` say the
 * same thing. The handling lives where the quirk bites (transport wrappers,
 * ISD discovery, GET STATUS, the secure channel); this file is the catalogue.
 */

/** One quirk: what the card does, what the terminal does about it, and where the behaviour comes from. */
export interface QuirkInfo {
  /** What the card does. */
  readonly card: string;
  /** What webcard does about it. */
  readonly terminal: string;
  /** The specification clause or the trace that shows it. */
  readonly source: string;
}

export const QUIRKS = {
  t0ResponseWaiting: {
    card: "answers 61xx: xx response bytes wait (T=0)",
    terminal: "fetches them with GET RESPONSE (00 C0 00 00 xx)",
    source: "ISO 7816-3 12.2.2, ISO 7816-4 5.3.3; SPTek SP44 trace",
  },
  t0WrongLe: {
    card: "answers 6Cxx: Le was wrong, xx bytes are available (T=0)",
    terminal: "sends the same command again with Le = xx",
    source: "ISO 7816-3 12.2.2; G+D UICC trace",
  },
  t0WarningWithoutData: {
    card: "answers a case-4 command with a warning (62xx/63xx) and no data (T=0)",
    terminal: "fetches the data with GET RESPONSE and keeps the warning",
    source: "ISO 7816-3 12.2.4 (case 4S); ETSI TS 102 221 7.3.1.1.5; operator UICCs (GlobalPlatformPro #124)",
  },
  t0NoExtendedLength: {
    card: "speaks T=0, whose command header has one length byte: no extended-length APDUs",
    terminal: "keeps every command short on T=0 (LOAD blocks, secure messaging); a larger --block-size is refused in one line",
    source: "ISO 7816-3 12.2; extended APDUs on T=0 need ENVELOPE, which cards' loaders do not take",
  },
  isdAtOtherAid: {
    card: "has its ISD at another AID than A000000151000000",
    terminal: "tries the AIDs cards use (DEFAULT_ISD_AIDS) or --isd",
    source: "REAL-CARDS.md quirk 1 (G+D, Feitian, Gemalto, Oberthur, UICCs)",
  },
  isdDefaultSelectedOnly: {
    card: "has its ISD at a private AID, reachable as the default-selected application",
    terminal: "takes the default-selected application when its FCI is a security domain's (A5 with 9F65 or 73)",
    source: "GP 2.3.1 11.9.3.1; a JCOP4 with ISD D480424C4E53434D (GlobalPlatformPro #255)",
  },
  selectWithoutFci: {
    card: "answers SELECT of the ISD with 9000 and no FCI",
    terminal: "keeps the AID it asked for; no 9F65, so LOAD blocks of the short default",
    source: "Securo.GlobalPlatform source comment (REAL-CARDS.md appendix A)",
  },
  cardNotReady: {
    card: "answers SELECT with 6D00/6E00, or 6A82 with data (uninitialised ACOSJ, GSM SIM, unfused JCOP)",
    terminal: "stops with one line naming the state; nothing is sent to change it",
    source: "GlobalPlatformPro #121, #192, #266",
  },
  legacyGetStatus: {
    card: "refuses GET STATUS in the tagged format (P2 02) with 6A86 or 6A80",
    terminal: "asks again in the legacy format of GP 2.1.1 (P2 00)",
    source: "GP 2.1.1 9.4.3; G+D SCE 6.0, sysmoISIM (GlobalPlatformPro GPSession.getConcatenatedStatus)",
  },
  getStatusWithoutModules: {
    card: "refuses GET STATUS P1 10 (load files and modules) with 6A81",
    terminal: "lists load files with P1 20 (without modules)",
    source: "G+D SCE 3.2 (aram-applet #1)",
  },
  getStatusSplitEntry: {
    card: "cuts one registry entry across two GET STATUS pages (6310)",
    terminal: "joins the pages before parsing them",
    source: "NXP JCOP4 (GlobalPlatformPro #405)",
  },
  getStatusOneTemplate: {
    card: "puts every registry entry in one E3 template",
    terminal: "starts a new entry at each AID (4F) inside the template",
    source: "sysmoUSIM-SJS1 (GlobalPlatformPro #293)",
  },
  getStatusCutWithout6310: {
    card: "ends a full GET STATUS page in a cut entry with 9000 instead of 6310",
    terminal: "stops with one line: the registry cannot be read whole",
    source: "GlobalPlatformPro #327",
  },
  noCplc: {
    card: "gives no CPLC (6A88, 6A86, 6985) or a placeholder (all FF)",
    terminal: "reports no CPLC, never an error",
    source: "sysmoISIM, GreenCard, JCOP4 contactless, sysmoUSIM",
  },
  maxBlockSize: {
    card: "announces a maximum command data length other than 255 in 9F65 (FE), or none",
    terminal: "sizes LOAD blocks from 9F65, 255 without it",
    source: "GP 2.3.1 11.9.3.1 table 11-83; Infineon SLE78, sysmoUSIM",
  },
  scp02IFromCardData: {
    card: "speaks SCP02 with an i parameter that only its card recognition data names (15 or 55)",
    terminal: "reads i from the card recognition data in the ISD's FCI (55 without it: the host side of 15 and 55 is the same); refuses an i it does not implement in one line",
    source: "GP 2.3.1 E.1.1, H.2; OMNI Ring, sysmoUSIM (i=15), JCOP 2.4.2, NEO (i=55)",
  },
  scp03IFromInitUpdate: {
    card: "speaks SCP03 with i 00, 10 or 70 (sequence counter in a 32-byte INITIALIZE UPDATE answer)",
    terminal: "takes i from INITIALIZE UPDATE and offers only the levels it allows",
    source: "GP amendment D 5.1, 7.1.1.3; G+D SCE 6.0, IDCore 30, JCOP4, Cosmo 8.1",
  },
  scp01: {
    card: "answers INITIALIZE UPDATE with SCP01",
    terminal: "stops with one line: SCP01 is not supported (nothing sent after INITIALIZE UPDATE)",
    source: "Gemalto Cyberflex (GlobalPlatformPro #58)",
  },
  diversifiedKeys: {
    card: "derives its keys from a master key and its key diversification data (EMV CPS, VISA2, KDF3)",
    terminal: "finds the one derivation whose card cryptogram matches before EXTERNAL AUTHENTICATE; asks for --kdf when several would",
    source: "GP 2.3.1 E.4.1; G+D (EMV), Gemalto (VISA2), Oberthur (KDF3)",
  },
  triesLeft: {
    card: "counts failed authentications and says how many remain (63Cx)",
    terminal: "says how many tries are left in its one line; never tries a second key",
    source: "ISO 7816-4 5.6 table 6 (63Cx); Nokia 6131 (10 tries then locked)",
  },
  keyVersionAbsent: {
    card: "answers INITIALIZE UPDATE with 6A88 for a key version it does not hold (or until unlocked)",
    terminal: "says so in one line naming --key-version",
    source: "sysmoISIM KVN 70, Nokia 6131 KVN 2A",
  },
} as const satisfies Record<string, QuirkInfo>;

/** A quirk's name. */
export type Quirk = keyof typeof QUIRKS;

/** Where code that copes with a quirk says it did (the session collects them; doctor shows them). */
export type QuirkSink = (quirk: Quirk, detail?: string) => void;
