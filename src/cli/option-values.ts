/**
 * What the shared options mean: each parsed in one place, for every command
 * that takes it (`--scp` on sim and the GlobalPlatform commands, `--key`,
 * `--vpcd`, the reader choice). Values arrive as typed strings (argv.ts);
 * a bad one is a UsageError (exit 2) saying what to write instead.
 */
import { UsageError, WebcardError } from "../stack/errors.ts";
import { fromHex, hexProblem, isHex } from "../stack/bytes.ts";
import { parseAid } from "../stack/aid.ts";
import { DEFAULT_TEST_KEY } from "../stack/gp/constants.ts";
import { parseKdf, type Kdf } from "../stack/gp/keys.ts";
import { SECURITY_LEVELS, type SecurityLevel } from "../stack/gp/security-level.ts";
import type { GpConnectOptions } from "../host/gp/connect.ts";
import { VPCD_DEFAULT } from "../card/vpcd-link.ts";
import { readFileSync } from "node:fs";
import { ecKeyFile } from "./pem.ts";
import type { Scp11Variant } from "../stack/gp/scp11/handshake.ts";
import type { Scp11Options } from "../stack/gp/scp11/open.ts";
import { resolveKeys, type KeySource, type ResolvedKeys } from "./keys.ts";
import type { KeyFlags, LoadBlockFlags, ReaderFlags } from "./options.ts";

export type { KeySource } from "./keys.ts";

/** A library error about a user's value, reported as usage (exit 2). */
export function asUsage<T>(what: () => T): T {
  try {
    return what();
  } catch (error) {
    if (error instanceof WebcardError && !(error instanceof UsageError)) {
      throw new UsageError(error.message, { cause: error, ...(error.hint ? { hint: error.hint } : {}) });
    }
    throw error;
  }
}

/** An AID given on the command line (argument or option). */
export function aidFrom(text: string, what = "AID"): Uint8Array {
  return asUsage(() => parseAid(text.trim(), what));
}

/** A whole number option in [min, max], decimal or 0x-hex; undefined when not given. */
export function numberFrom(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^0x[0-9a-f]+$/i.test(text.trim()) ? Number.parseInt(text.trim(), 16) : Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, got '${text}'`);
  return n;
}

/** --channel N: a logical channel besides the basic one (ISO/IEC 7816-4: 1 to 19). */
export function channelFrom(text: string | undefined): number | undefined {
  return numberFrom("channel", text, 1, 19);
}

/** Values of a repeatable option, each possibly comma-separated. */
export function listFrom(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

/** --scp 02|03 (also 2, 3, SCP03): the card's factory protocol for `sim`, the one to open for the GP commands; undefined for SCP11 (scp11From). */
export function scpFrom(text: string | undefined): 2 | 3 | undefined {
  if (text === undefined) return undefined;
  const value = text.trim().toLowerCase().replace(/^scp/, "");
  if (value === "02" || value === "2") return 2;
  if (value === "03" || value === "3") return 3;
  if (/^11[abc]?$/.test(value)) return undefined;
  throw new UsageError(`Unknown secure channel protocol '${value}': use --scp 02, 03, 11a, 11b or 11c`);
}

/** --scp 11a|11b|11c (sim also takes 11 for all three): the SCP11 variants, or undefined for SCP02/03. */
export function scp11From(text: string | undefined): Scp11Variant[] | undefined {
  const m = text === undefined ? null : /^(?:scp)?11([abc]?)$/.exec(text.trim().toLowerCase());
  if (!m) return undefined;
  return m[1] ? [m[1] as Scp11Variant] : ["a", "b", "c"];
}

/** A GP certificate file (binary 7F21, or its hex). */
export function certificateFileFrom(path: string, what = "OCE certificate"): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new UsageError(`Cannot read ${what} ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  const text = new TextDecoder().decode(bytes).replace(/\s+/g, "");
  if (bytes[0] !== 0x7f && isHex(text)) bytes = fromHex(text);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x21) throw new UsageError(`${path} is not a GP certificate (7F21): give the file webcard keys generate-oce wrote`);
  return bytes;
}

/** SCP11 options from --scp 11x, --oce-key, --oce-cert, --ca-key (or WEBCARD_OCE_KEY, WEBCARD_OCE_CERT, WEBCARD_CA_KEY). */
export function scp11OptionsFrom(flags: KeyFlags, env: Record<string, string | undefined> = process.env): Scp11Options | undefined {
  const variants = scp11From(flags.scp);
  if (!variants) {
    if (flags.oceKey || flags.oceCert?.length) throw new UsageError("--oce-key and --oce-cert go with --scp 11a or 11c");
    if (flags.s16) throw new UsageError("--s16 goes with --scp 11a, 11b or 11c (SCP02 and SCP03 sessions here use 8-byte MACs)");
    return undefined;
  }
  if (variants.length !== 1) throw new UsageError("Say which SCP11: --scp 11a, 11b or 11c");
  const variant = variants[0]!;
  const mode = flags.mode?.trim().toLowerCase() ?? "mac";
  if (!["mac", "rmac", "enc", "renc"].includes(mode)) throw new UsageError(`SCP11 always protects both directions: use --mode mac (C-MAC, R-MAC) or enc (also encryption), not '${mode}'`);
  const caPath = flags.caKey ?? env.WEBCARD_CA_KEY;
  const oceKeyPath = flags.oceKey ?? env.WEBCARD_OCE_KEY;
  const certPaths = flags.oceCert?.length ? listFrom(flags.oceCert) : listFrom(env.WEBCARD_OCE_CERT ? [env.WEBCARD_OCE_CERT] : []);
  if (variant === "b" && (oceKeyPath || certPaths.length)) throw new UsageError("SCP11b authenticates the card only: leave out --oce-key and --oce-cert, or use --scp 11a");
  let oce: Scp11Options["oce"];
  if (variant !== "b") {
    if (!oceKeyPath || certPaths.length === 0) throw new UsageError(`SCP11${variant} needs the OCE key and its certificate: give --oce-key FILE and --oce-cert FILE (webcard keys generate-oce makes them)`);
    const key = ecKeyFile(oceKeyPath, "OCE key");
    if (!key.d) throw new UsageError(`OCE key ${oceKeyPath} holds no private key`);
    oce = { key, certificates: certPaths.map((path) => certificateFileFrom(path)) };
  }
  const keyVersion = numberFrom("key-version", flags.keyVersion, 1, 0x7f);
  return {
    variant,
    level: mode === "enc" || mode === "renc" ? "enc" : "mac",
    macLength: flags.s16 ? 16 : 8,
    ...(keyVersion === undefined ? {} : { keyVersion }),
    ...(caPath ? { ca: ecKeyFile(caPath, "CA key") } : {}),
    ...(oce ? { oce } : {}),
  };
}

/** --mode clear|mac|enc|rmac|renc (default mac). */
export function levelFrom(text: string | undefined): SecurityLevel {
  if (text === undefined) return "mac";
  const value = text.trim().toLowerCase();
  if ((SECURITY_LEVELS as readonly string[]).includes(value)) return value as SecurityLevel;
  throw new UsageError(`Unknown security level '${value}': use one of ${SECURITY_LEVELS.join(", ")}`);
}

/** `sim --key`: the card's factory key as bytes (hex or 'default'). */
export function factoryKeyFrom(text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t.toLowerCase() === "default") return fromHex(DEFAULT_TEST_KEY);
  if (!isHex(t)) throw new UsageError(`--key is not hex: ${hexProblem(t) ?? "empty"}; give 32, 48 or 64 hex digits or 'default'`);
  return fromHex(t);
}

/** --vpcd HOST:PORT or PORT. */
export function vpcdFrom(text: string | undefined): { host: string; port: number } {
  if (text === undefined) return { ...VPCD_DEFAULT };
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--vpcd must be HOST:PORT or PORT, got '${text}'`);
  return { host: m[1] || VPCD_DEFAULT.host, port: Number(m[2]) };
}

/** The reader choice and time limit of `-r/--reader` and `--timeout`, as connectReader takes them (its default time limit without --timeout). */
export function readerChoice(flags: ReaderFlags): { reader?: string; timeoutMs?: number } {
  const reader = flags.reader === undefined ? {} : { reader: flags.reader };
  if (flags.timeout === undefined) return reader;
  const seconds = Number(flags.timeout);
  if (flags.timeout.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds, got '${flags.timeout}'`);
  }
  return { ...reader, timeoutMs: Math.round(seconds * 1000) };
}

/** The static keys: --key, else WEBCARD_KEY, else GlobalPlatformPro's GP_KEY variables, else the test key (see keys.ts). */
export function keysFrom(flags: KeyFlags, env: Record<string, string | undefined> = process.env): ResolvedKeys {
  return resolveKeys(flags.key, env);
}

/** connectOptionsFrom and `--block-size`: only the commands that send LOAD read it (the others do not offer it). */
export function loadConnectOptionsFrom(flags: LoadBlockFlags, env: Record<string, string | undefined> = process.env): ConnectOptions {
  const blockSize = numberFrom("block-size", flags.blockSize, 1, 65_535);
  return { ...connectOptionsFrom(flags, env), ...(blockSize === undefined ? {} : { blockSize }) };
}

/** --isd AID, when given. */
function isdFrom(flags: KeyFlags): Uint8Array | undefined {
  if (flags.sd !== undefined && flags.isd !== undefined) throw new UsageError("--sd and --isd name the same thing: give one");
  const text = flags.sd ?? flags.isd;
  return text === undefined ? undefined : aidFrom(text, flags.sd === undefined ? "ISD AID" : "--sd AID");
}

/** What opens an authenticated session, with where the key came from (for messages). */
export type ConnectOptions = GpConnectOptions & { keySource: KeySource; level: SecurityLevel };

/** Everything needed to open an authenticated session, from the flags and environment. */
export function connectOptionsFrom(flags: KeyFlags, env: Record<string, string | undefined> = process.env): ConnectOptions {
  const { keys, source, kdf: keyKdf, keyVersion: envKeyVersion } = keysFrom(flags, env);
  const flagKdf = flags.kdf === undefined ? undefined : parseKdf(flags.kdf);
  if (flagKdf !== undefined && keyKdf !== undefined && flagKdf !== keyKdf) {
    throw new UsageError(`--kdf ${flagKdf} disagrees with the key's diversification '${keyKdf}' (from ${source}): give one of them`);
  }
  // Without one, the card's cryptogram chooses (stack/gp/kdf-choice.ts): no second authentication.
  const kdf: Kdf | undefined = flagKdf ?? keyKdf;
  const scp = scpFrom(flags.scp);
  const scp11 = scp11OptionsFrom(flags, env);
  const level = scp11 ? (scp11.level === "enc" ? "renc" : "mac") : levelFrom(flags.mode);
  if (scp === 2 && level === "renc") throw new UsageError("R-ENC exists only in SCP03: use --mode rmac or --scp 03");
  const keyVersion = scp11 ? undefined : (numberFrom("key-version", flags.keyVersion, 0, 0x7f) ?? envKeyVersion);
  const isd = isdFrom(flags);
  return {
    keys,
    keySource: source,
    ...(kdf === undefined ? {} : { kdf }),
    level,
    ...(scp === undefined ? {} : { scp }),
    ...(scp11 === undefined ? {} : { scp11 }),
    ...(keyVersion === undefined ? {} : { keyVersion }),
    ...(isd === undefined ? {} : { isd }),
  };
}
