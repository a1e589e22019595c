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
import { resolveKeys, type KeySource, type ResolvedKeys } from "./keys.ts";
import type { KeyFlags, ReaderFlags } from "./options.ts";

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
function numberFrom(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^0x[0-9a-f]+$/i.test(text.trim()) ? Number.parseInt(text.trim(), 16) : Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, got '${text}'`);
  return n;
}

/** Values of a repeatable option, each possibly comma-separated. */
export function listFrom(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

/** --scp 02|03 (also 2, 3, SCP03): the card's factory protocol for `sim`, the one to open for the GP commands. */
export function scpFrom(text: string | undefined): 2 | 3 | undefined {
  if (text === undefined) return undefined;
  const value = text.trim().toLowerCase().replace(/^scp/, "");
  if (value === "02" || value === "2") return 2;
  if (value === "03" || value === "3") return 3;
  throw new UsageError(`Unknown secure channel protocol '${value}': use --scp 02 or 03`);
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
  const kdf: Kdf = flagKdf ?? keyKdf ?? "none";
  const scp = scpFrom(flags.scp);
  const level = levelFrom(flags.mode);
  if (scp === 2 && level === "renc") throw new UsageError("R-ENC exists only in SCP03: use --mode rmac or --scp 03");
  const keyVersion = numberFrom("key-version", flags.keyVersion, 0, 0x7f) ?? envKeyVersion;
  const blockSize = numberFrom("block-size", flags.blockSize, 1, 65_535);
  const isd = isdFrom(flags);
  return {
    keys,
    keySource: source,
    kdf,
    level,
    ...(scp === undefined ? {} : { scp }),
    ...(keyVersion === undefined ? {} : { keyVersion }),
    ...(blockSize === undefined ? {} : { blockSize }),
    ...(isd === undefined ? {} : { isd }),
  };
}
