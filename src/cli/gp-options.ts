/**
 * The GlobalPlatform commands' options, parsed in one place: keys and
 * secure channel, ISD and block size, install choices. Bad values are
 * UsageErrors (exit 2); hex values are read as typed (see gp-argv.ts).
 */
import { UsageError, WebcardError } from "../stack/errors.ts";
import { fromHex } from "../stack/bytes.ts";
import { parseAid } from "../stack/gp/aid.ts";
import { parseKdf, type Kdf } from "../stack/gp/keys.ts";
import { parsePrivileges } from "../stack/gp/privileges.ts";
import type { ScpLevel } from "../stack/gp/secure-channel.ts";
import type { GpConnectOptions } from "../host/gp/connect.ts";
import type { InstallChoices } from "../host/gp/install.ts";
import type { GlobalFlags } from "./context.ts";
import { rawArg, rawOption, rawOptionValues } from "./gp-argv.ts";
import { resolveKeys, type KeySource, type ResolvedKeys } from "./gp-keys.ts";

/** Flags of commands that authenticate (as cac hands them over). */
export interface GpFlags extends GlobalFlags {
  key?: unknown;
  kdf?: unknown;
  scp?: unknown;
  mode?: unknown;
  keyVersion?: unknown;
  isd?: unknown;
  blockSize?: unknown;
  sim?: unknown;
  reader?: unknown;
  timeout?: unknown;
}

/** Flags of `webcard install`. */
export interface InstallFlags extends GpFlags {
  applet?: unknown;
  instance?: unknown;
  privs?: unknown;
  params?: unknown;
  default?: unknown;
  via?: unknown;
  force?: unknown;
}

const LEVELS: readonly ScpLevel[] = ["clear", "mac", "enc", "rmac", "renc"];

function asUsage<T>(what: () => T): T {
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
export function aidFrom(value: unknown, what = "AID"): Uint8Array {
  const text = rawArg(value).trim();
  return asUsage(() => parseAid(text, what));
}

function numberOption(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === true) return undefined;
  const text = rawOption(name) ?? String(value);
  const n = /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text, 16) : Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, got '${text}'`);
  return n;
}

/** --scp 02|03 (also 2, 3, SCP03). */
export function scpFrom(value: unknown): 2 | 3 | undefined {
  if (value === undefined) return undefined;
  const text = (rawOption("scp") ?? String(value)).trim().toLowerCase().replace(/^scp/, "");
  if (text === "02" || text === "2") return 2;
  if (text === "03" || text === "3") return 3;
  throw new UsageError(`Unknown secure channel protocol '${text}': use --scp 02 or 03`);
}

/** --mode clear|mac|enc|rmac|renc (default mac). */
export function levelFrom(value: unknown): ScpLevel {
  if (value === undefined) return "mac";
  const text = String(value).trim().toLowerCase();
  if ((LEVELS as readonly string[]).includes(text)) return text as ScpLevel;
  throw new UsageError(`Unknown security level '${text}': use one of ${LEVELS.join(", ")}`);
}

export type { KeySource } from "./gp-keys.ts";

/** The static keys: --key, else WEBCARD_KEY, else GlobalPlatformPro's GP_KEY variables, else the test key (see gp-keys.ts). */
export function keysFrom(flags: GpFlags, env: Record<string, string | undefined> = process.env): ResolvedKeys {
  const fromFlag = flags.key === undefined ? undefined : (rawOption("key") ?? String(flags.key));
  return resolveKeys(fromFlag, env);
}

/** --isd AID, when given. */
export function isdFrom(flags: GpFlags): Uint8Array | undefined {
  return flags.isd === undefined ? undefined : aidFrom(rawOption("isd") ?? flags.isd, "ISD AID");
}

/** Everything needed to open an authenticated session, from the flags and environment. */
export function connectOptionsFrom(
  flags: GpFlags,
  env: Record<string, string | undefined> = process.env,
): GpConnectOptions & { keySource: KeySource; level: ScpLevel } {
  const { keys, source, kdf: keyKdf, keyVersion: envKeyVersion } = keysFrom(flags, env);
  const flagKdf = flags.kdf === undefined ? undefined : parseKdf(String(flags.kdf));
  if (flagKdf !== undefined && keyKdf !== undefined && flagKdf !== keyKdf) {
    throw new UsageError(`--kdf ${flagKdf} disagrees with the key's diversification '${keyKdf}' (from ${source}): give one of them`);
  }
  const kdf: Kdf = flagKdf ?? keyKdf ?? "none";
  const scp = scpFrom(flags.scp);
  const level = levelFrom(flags.mode);
  if (scp === 2 && level === "renc") throw new UsageError("R-ENC exists only in SCP03: use --mode rmac or --scp 03");
  const keyVersion = numberOption("key-version", flags.keyVersion, 0, 0x7f) ?? envKeyVersion;
  const blockSize = numberOption("block-size", flags.blockSize, 1, 65_535);
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

/** Values of a repeatable option, each possibly comma-separated. */
function listOption(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  const raw = rawOptionValues(name);
  const values = raw.length ? raw : [value].flat().map(String);
  return values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

/** Install choices from `webcard install` flags. */
export function installChoicesFrom(flags: InstallFlags): InstallChoices {
  const applets = listOption("applet", flags.applet).map((a) => aidFrom(a, "Applet AID"));
  const instances = listOption("instance", flags.instance).map((a) => aidFrom(a, "Instance AID"));
  const privileges = flags.privs === undefined ? undefined : asUsage(() => parsePrivileges(rawOption("privs") ?? String(flags.privs)));
  let params: Uint8Array | undefined;
  if (flags.params !== undefined) {
    const text = rawOption("params") ?? String(flags.params);
    try {
      params = fromHex(text);
    } catch (error) {
      throw new UsageError(`--params '${text}' is not hex: give raw applet parameters or a C9 field as hex digits`, { cause: error });
    }
  }
  return {
    ...(applets.length ? { applets } : {}),
    ...(instances.length ? { instances } : {}),
    ...(privileges === undefined ? {} : { privileges }),
    ...(params === undefined ? {} : { params }),
    ...(flags.default === true ? { makeDefault: true } : {}),
  };
}
