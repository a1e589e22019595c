/**
 * Where the static keys come from, in the forms users already type:
 * `--key` / `WEBCARD_KEY` (hex or "default"), and GlobalPlatformPro's
 * environment (`GP_KEY` master key, `GP_KEY_ENC`/`_MAC`/`_DEK` separate keys,
 * `GP_KEY_KDF` diversification, `GP_KEY_VER` key version). Any key text may
 * carry GlobalPlatformPro's diversification prefix, `emv:`, `visa2:` or `kdf3:`
 * (`--key emv:default`). Key text never reaches a message: only where it came from.
 */
import { UsageError } from "../stack/errors.ts";
import { parseKdf, parseKeys, type Kdf, type StaticKeys } from "../stack/gp/keys.ts";

/** Where the key came from, for messages (never the key itself). */
export type KeySource = "--key" | "WEBCARD_KEY" | "GP_KEY" | "default";

/** The resolved keys, and the diversification and key version their source asked for. */
export interface ResolvedKeys {
  keys: StaticKeys;
  source: KeySource;
  /** From a `kdf:` prefix or GP_KEY_KDF; the caller's --kdf wins when it agrees. */
  kdf?: Kdf;
  /** From GP_KEY_VER; the caller's --key-version wins. */
  keyVersion?: number;
}

/** Split GlobalPlatformPro's `<kdf>:<key>` form; a plain key has no kdf. */
export function splitKeySpec(text: string): { key: string; kdf?: Kdf } {
  const m = /^\s*([a-z][a-z0-9]*):(.*)$/i.exec(text);
  // "AB:CD:..." is hex with separators, not a prefix.
  if (!m || /^[0-9a-f]{2}$/i.test(m[1]!)) return { key: text };
  return { key: m[2]!, kdf: parseKdf(m[1]!) };
}

/** GP_KEY_VER: decimal or 0x hex, 0-127. */
function envVersion(text: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : Number(t);
  if (!Number.isInteger(n) || n < 0 || n > 0x7f) throw new UsageError(`GP_KEY_VER must be a key version from 0 to 127, got '${t}'`);
  return n;
}

function withSource<T>(source: KeySource, what: () => T): T {
  try {
    return what();
  } catch (error) {
    if (error instanceof UsageError && source !== "--key") throw new UsageError(`${source}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** GlobalPlatformPro's variables: GP_KEY or all of GP_KEY_ENC/_MAC/_DEK, with GP_KEY_KDF and GP_KEY_VER. */
function fromGpEnv(env: Record<string, string | undefined>): ResolvedKeys | undefined {
  const separate = [env.GP_KEY_ENC, env.GP_KEY_MAC, env.GP_KEY_DEK];
  const given = separate.filter((v) => v).length;
  if (!env.GP_KEY && given === 0) return undefined;
  return withSource("GP_KEY", () => {
    if (given > 0 && (given < 3 || env.GP_KEY)) {
      throw new UsageError("set either GP_KEY or all three of GP_KEY_ENC, GP_KEY_MAC and GP_KEY_DEK");
    }
    let keys: StaticKeys;
    let kdf: Kdf | undefined;
    if (env.GP_KEY) {
      const spec = splitKeySpec(env.GP_KEY);
      keys = parseKeys({ key: spec.key });
      kdf = spec.kdf;
    } else {
      keys = parseKeys({ enc: separate[0]!, mac: separate[1]!, dek: separate[2]! });
    }
    if (env.GP_KEY_KDF) {
      const named = parseKdf(env.GP_KEY_KDF);
      if (kdf !== undefined && kdf !== named) throw new UsageError(`GP_KEY_KDF=${named} disagrees with the key's '${kdf}:' prefix`);
      kdf = named;
    }
    return {
      keys,
      source: "GP_KEY",
      ...(kdf === undefined ? {} : { kdf }),
      ...(env.GP_KEY_VER ? { keyVersion: envVersion(env.GP_KEY_VER) } : {}),
    };
  });
}

/** The static keys: `keyText` (--key as typed), else WEBCARD_KEY, else GlobalPlatformPro's GP_KEY*, else the test key. */
export function resolveKeys(keyText: string | undefined, env: Record<string, string | undefined>): ResolvedKeys {
  const [text, source]: [string | undefined, KeySource] =
    keyText !== undefined ? [keyText, "--key"] : env.WEBCARD_KEY ? [env.WEBCARD_KEY, "WEBCARD_KEY"] : [undefined, "default"];
  if (text === undefined) return fromGpEnv(env) ?? { keys: parseKeys({ key: "default" }), source: "default" };
  return withSource(source, () => {
    const spec = splitKeySpec(text);
    return { keys: parseKeys({ key: spec.key }), source, ...(spec.kdf === undefined ? {} : { kdf: spec.kdf }) };
  });
}
