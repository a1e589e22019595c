/**
 * The terminal side of a GlobalPlatform secure channel as a Transport wrapper:
 * INITIALIZE UPDATE, card cryptogram check, EXTERNAL AUTHENTICATE, then every
 * plain command (CLA 80/00) is sent with secure messaging at the chosen level.
 *
 * Safe authentication: EXTERNAL AUTHENTICATE is sent only when the card's
 * cryptogram matches; a mismatch means the keys are wrong, and every failed
 * EXTERNAL AUTHENTICATE counts towards locking the card, so nothing is retried.
 */
import { toHex } from "../bytes.ts";
import { CommandApdu, MAX_SHORT_NC, ResponseApdu } from "../apdu.ts";
import { SecurityError, SwError, UsageError } from "../errors.ts";
import { SW } from "../status-words.ts";
import { transactionOf, type Transport } from "../transport/transport.ts";
import { type Kdf, type KeyCheckValues, type StaticKeys } from "./keys.ts";
import { chooseKdf, type Cryptograms } from "./kdf-choice.ts";
import { levelAllowed } from "./scp-card.ts";
import { Scp02Session, scp02CardCryptogram, scp02HostCryptogram, scp02SessionKeys } from "./scp02.ts";
import { Scp03Session, scp03CardCryptogram, scp03HostCryptogram, scp03SessionKeys } from "./scp03.ts";
import { cipherBlock, commandRoom, LEVEL_BYTE, wrappedLength, type SecurityLevel } from "./security-level.ts";

export interface SecureChannelOptions {
  keys: StaticKeys;
  /** Default: the one derivation whose card cryptogram matches (kdf-choice.ts). */
  kdf?: Kdf;
  /** Default: what the card says in INITIALIZE UPDATE. */
  scp?: 2 | 3;
  /** Default "mac". */
  level?: SecurityLevel;
  /** Default 0 = any. */
  keyVersion?: number;
  /** SCP02 does not announce "i"; 15 and 55 behave alike on this side. Default 0x55. */
  scp02i?: number;
  /** Fixed host challenge, for tests. */
  hostChallenge?: Uint8Array;
}

export interface SecureChannel extends Transport {
  readonly scp: 2 | 3;
  readonly i: number;
  readonly level: SecurityLevel;
  readonly keyVersion: number;
  readonly kdd: Uint8Array;
  readonly kcvs: KeyCheckValues;
  /** The key diversification in use; `kdfFromCard` when the card's cryptogram chose it (no --kdf given). */
  readonly kdf: Kdf;
  readonly kdfFromCard: boolean;
  /** Session (SCP02) or static (SCP03) DEK, for PUT KEY. */
  readonly dek: Uint8Array;
  /** Largest plain command data that fits one short APDU at this level. */
  readonly maxCommandData: number;
}

/** SCP02 i values this side implements: three keys, explicit initiation, C-MAC on the modified APDU, ICV encryption (GP 2.3.1 E.1.1). */
export const SCP02_IMPLEMENTED = [0x15, 0x55] as const;

/** ISO 7816-4 5.6 table 6: 63Cx, "counter from 0 to 15 encoded by x" (tries left). */
export function triesLeftText(sw: number): string | undefined {
  if ((sw & 0xfff0) !== 0x63c0) return undefined;
  const n = sw & 0x0f;
  return n === 0 ? "the card says no tries are left: it locks on the next failure, or has locked" : `the card says ${n} ${n === 1 ? "try is" : "tries are"} left before it locks: check the key before trying again`;
}

/** What secure messaging needs from a session, whichever protocol opened it. */
export interface MessagingSession {
  wrapCommand(cmd: CommandApdu, level: number): CommandApdu;
  unwrapResponse(resp: ResponseApdu, level: number): ResponseApdu;
}

/**
 * The transmit function of an open channel: wrap each plain command at
 * `level`, refuse one that no longer fits a short APDU on a short-only path,
 * unwrap the answer. Shared by SCP02, SCP03 and SCP11.
 */
export function messagingTransmit(
  transport: Transport,
  session: MessagingSession,
  level: number,
  describe: { levelName: string; maxCommandData: number; scp: 2 | 3; macLength?: 8 | 16 },
): (bytes: Uint8Array) => Promise<Uint8Array> {
  return async (bytes) => {
    const cmd = CommandApdu.parse(bytes);
    if (cmd.cla & 0x04) throw new RangeError(`Send plain commands through the secure channel, not CLA ${toHex(Uint8Array.of(cmd.cla))}`);
    const n = wrappedLength(cmd.data.length, level, cipherBlock(describe.scp), describe.macLength);
    if (n > MAX_SHORT_NC && !transport.extendedLength) {
      throw new UsageError(
        `Command data of ${cmd.data.length} bytes becomes ${n} bytes under secure messaging (${describe.levelName}) and exceeds a short APDU: use blocks of at most ${describe.maxCommandData} bytes`,
      );
    }
    const wrapped = session.wrapCommand(cmd, level);
    const resp = ResponseApdu.parse(await transport.transmit(wrapped.toBytes()));
    return session.unwrapResponse(resp, level).toBytes();
  };
}

interface InitResponse {
  kdd: Uint8Array;
  keyVersion: number;
  scp: 2 | 3;
  i: number | undefined;
  sequence: Uint8Array;
  cardChallenge: Uint8Array;
  cryptogram: Uint8Array;
}

/** INITIALIZE UPDATE response (GP 2.3.1 E.5.1.3, amendment D 7.1.1.3). */
function parseInitResponse(data: Uint8Array): InitResponse {
  const scp = data[11];
  const base = { kdd: data.slice(0, 10), keyVersion: data[10] ?? 0 };
  if (scp === 0x02 && data.length === 28) {
    return { ...base, scp: 2, i: undefined, sequence: data.slice(12, 14), cardChallenge: data.slice(14, 20), cryptogram: data.slice(20, 28) };
  }
  if (scp === 0x03 && (data.length === 29 || data.length === 32)) {
    return { ...base, scp: 3, i: data[12]!, sequence: data.slice(29), cardChallenge: data.slice(13, 21), cryptogram: data.slice(21, 29) };
  }
  if (scp === 0x01 && data.length === 28) {
    // Quirk scp01 (Gemalto Cyberflex): GP 2.1.1 appendix D, superseded by SCP02.
    throw new UsageError("The card speaks SCP01, which webcard does not implement (SCP02, SCP03 and SCP11 only); nothing was sent after INITIALIZE UPDATE");
  }
  throw new SecurityError(
    `INITIALIZE UPDATE answer of ${data.length} bytes (protocol byte ${scp === undefined ? "missing" : toHex(Uint8Array.of(scp))}) is not SCP02 or SCP03`,
  );
}

/** Authenticate to the card's security domain and return the secure channel as a Transport. */
export async function openSecureChannel(transport: Transport, options: SecureChannelOptions): Promise<SecureChannel> {
  const levelName = options.level ?? "mac";
  const level = LEVEL_BYTE[levelName];
  const hostChallenge = options.hostChallenge ?? crypto.getRandomValues(new Uint8Array(8));
  if (hostChallenge.length !== 8) throw new RangeError(`Host challenge must be 8 bytes, got ${hostChallenge.length}`);
  const keyVersion = options.keyVersion ?? 0;
  if (options.scp === 2 && levelName === "renc") throw new UsageError("R-ENC exists only in SCP03: use --mode rmac or --scp 03");

  // 80 50 <key version> 00 08 <host challenge> 00
  const init = new CommandApdu({ cla: 0x80, ins: 0x50, p1: keyVersion, p2: 0x00, data: hostChallenge, ne: 256 });
  const initResp = ResponseApdu.parse(await transport.transmit(init.toBytes()));
  if (!initResp.ok) {
    const hint =
      initResp.sw === SW.REFERENCED_DATA_NOT_FOUND
        ? `the card has no key set with version ${keyVersion}: check --key-version`
        : initResp.sw === SW.AUTH_METHOD_BLOCKED
          ? "the card has locked authentication after too many failures"
          : initResp.sw === SW.INS_NOT_SUPPORTED || initResp.sw === SW.CLA_NOT_SUPPORTED
            ? // Seen on T=0 cards through some readers' contact interface (GlobalPlatformPro #15, #67).
              "the card or this reader does not pass INITIALIZE UPDATE to the security domain; some T=0 cards answer so through one reader and not another: try another reader, or the card's contactless interface"
            : triesLeftText(initResp.sw);
    throw new SwError("INITIALIZE UPDATE", initResp.sw, hint ? { hint, detail: hint } : {});
  }
  const card = parseInitResponse(initResp.data);
  if (options.scp !== undefined && options.scp !== card.scp) {
    throw new UsageError(`The card answered SCP0${card.scp} but SCP0${options.scp} was asked for: use --scp 0${card.scp}`);
  }
  const scp = card.scp;
  const i = card.i ?? options.scp02i ?? 0x55;
  if (scp === 2 && !(SCP02_IMPLEMENTED as readonly number[]).includes(i)) {
    // Quirk scp02IFromCardData: the card's recognition data named this i; the other SCP02 options change the MAC.
    throw new UsageError(`The card's SCP02 i=${toHex(Uint8Array.of(i))} is not implemented (webcard speaks SCP02 i=15 and 55); nothing was sent after INITIALIZE UPDATE`);
  }
  if (!levelAllowed(scp, i, level)) {
    throw new UsageError(
      `The card's SCP0${scp} i=${toHex(Uint8Array.of(i))} does not offer level ${levelName}: use --mode mac or enc`,
    );
  }
  const chosen = chooseKdf(options, scp, card, (keys) => cryptograms(scp, i, keys, hostChallenge, card));
  const { keys, session, hostCryptogram } = chosen;

  // 84 82 <level> 00 10 <host cryptogram> <C-MAC>
  const auth = session.wrapCommand(new CommandApdu({ cla: 0x80, ins: 0x82, p1: level, p2: 0x00, data: hostCryptogram }), 0x01);
  const authResp = ResponseApdu.parse(await transport.transmit(auth.toBytes()));
  if (!authResp.ok) {
    const left = triesLeftText(authResp.sw);
    throw new SwError("EXTERNAL AUTHENTICATE", authResp.sw, {
      hint: `the card refused the host cryptogram after its own matched; ${left ?? "do not retry blindly, repeated failures can lock the card"}`,
    });
  }

  const maxCommandData = commandRoom(MAX_SHORT_NC, level, cipherBlock(scp));
  return {
    name: transport.name,
    extendedLength: transport.extendedLength,
    ...transactionOf(transport),
    scp,
    i,
    level: levelName,
    keyVersion: card.keyVersion,
    kdd: card.kdd,
    kcvs: keys.kcvs,
    kdf: chosen.kdf,
    kdfFromCard: chosen.fromCard,
    dek: session.keys.dek.slice(),
    maxCommandData,
    close: () => transport.close?.() ?? Promise.resolve(),
    transmit: messagingTransmit(transport, session, level, { levelName, maxCommandData, scp }),
  };
}

/** The session, the card cryptogram expected and the host cryptogram for one candidate key set. */
function cryptograms(scp: 2 | 3, i: number, keys: StaticKeys, hostChallenge: Uint8Array, card: InitResponse): Cryptograms<Scp02Session | Scp03Session> {
  if (scp === 2) {
    const sk = scp02SessionKeys(keys, card.sequence);
    return {
      session: new Scp02Session(sk, i),
      expected: scp02CardCryptogram(sk.enc, hostChallenge, card.sequence, card.cardChallenge),
      hostCryptogram: scp02HostCryptogram(sk.enc, card.sequence, card.cardChallenge, hostChallenge),
    };
  }
  const context = new Uint8Array([...hostChallenge, ...card.cardChallenge]);
  const sk = scp03SessionKeys(keys, context);
  return { session: new Scp03Session(sk, i), expected: scp03CardCryptogram(sk.mac, context), hostCryptogram: scp03HostCryptogram(sk.mac, context) };
}
