/**
 * `webcard put-key --new-key HEX --new-key-version N [--replace-version N]`: PUT KEY of a key set.
 * `--new-key kdf3:MASTER` (or emv:, visa2:) puts the card's own diversified keys instead: derived
 * from MASTER with the key diversification data the card gave in INITIALIZE UPDATE of this
 * session (its first 10 bytes, GP 2.3.1 E.5.1.3 / amendment D 7.1.1.3), as the key forms of
 * `--key` derive them (stack/gp/keys.ts diversify), so `--key kdf3:MASTER` opens the next session.
 */
import { putKey } from "../../host/gp/put-key.ts";
import { keyVersionsOnCard } from "../../host/gp/info.ts";
import { diversify, parseKeys } from "../../stack/gp/keys.ts";
import { splitKeySpec } from "../keys.ts";
import { toHex } from "../../stack/bytes.ts";
import { UsageError } from "../../stack/errors.ts";
import type { Context } from "../context.ts";
import { withSession } from "../session.ts";
import { putPublic, putSingleKey } from "../../host/gp/domains.ts";
import { DM_KEY_VERSION } from "../../stack/gp/token.ts";
import { fromHex, isHex } from "../../stack/bytes.ts";
import { kcvHex } from "../../stack/crypto/kcv.ts";
import { publicKeyFile } from "../pem.ts";
import { putScp11Key, type Scp11PutKeyFlags } from "./put-scp11-key.ts";

/** Flags of `webcard put-key`. */
export interface PutKeyFlags extends Scp11PutKeyFlags {
  /** A public key (PEM) to put: the SD's DAP key (version 73) or the ISD's token key (version 70). */
  public?: string;
  /** The ISD's receipt key (hex, one symmetric key, version 71). */
  receiptKey?: string;
}

/** A key set version option: 1..127 (0 too for --replace-version: add a set), decimal or 0x-hex. */
function version(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^0x/i.test(text) ? Number.parseInt(text.slice(2), 16) : Number(text);
  if (!Number.isInteger(n) || n < min || n > 0x7f) throw new UsageError(`--${name} must be ${min} to 127, got '${text}'`);
  return n;
}

export async function putKeyCommand(ctx: Context, flags: PutKeyFlags): Promise<void> {
  if (flags.scp11Ca !== undefined || flags.scp11Key !== undefined || flags.scp11Cert?.length) return putScp11Key(ctx, flags);
  if (flags.public !== undefined || flags.receiptKey !== undefined) return putOtherKey(ctx, flags);
  if (flags.newKey === undefined) throw new UsageError("Give the new key with --new-key HEX (or 'default'), or --public FILE, or --receipt-key HEX");
  const newVersion = version("new-key-version", flags.newKeyVersion, 1) ?? 1;
  const replaceVersion = version("replace-version", flags.replaceVersion, 0);
  const spec = splitKeySpec(flags.newKey);
  const given = parseKeys({ key: spec.key, version: newVersion });
  const kdf = spec.kdf === "none" ? undefined : spec.kdf;
  await withSession(ctx, flags, async (session, target) => {
    if (kdf && !session.secure) throw new UsageError(`--new-key ${kdf}:... needs the card's key diversification data from an SCP02/SCP03 session: leave out --scp 11`);
    // The card's own keys: MASTER diversified with the data this card gave in INITIALIZE UPDATE.
    const kdd = session.secure?.kdd.subarray(0, 10);
    const keys = kdf && kdd ? diversify(given.withType(session.scp === "03" ? "AES" : "3DES"), kdf, kdd) : given;
    const before = await keyVersionsOnCard(session.channel);
    // Under SCP11 no key set is in use: a set of the same version already there is the one to replace.
    const replace = replaceVersion ?? (session.scp11 && before.includes(newVersion) ? newVersion : undefined);
    const r = await putKey(session, keys, replace === undefined ? {} : { replaceVersion: replace });
    // Read back in the same session, so the user sees what the card holds now, not what was asked
    // (a card replaces its initial key set FF when the first one is added, GP 11.8.2.2).
    const versions = await keyVersionsOnCard(session.channel);
    const diversified = kdf && kdd ? { kdf, kdd: toHex(kdd) } : undefined;
    if (ctx.json) {
      return ctx.printJson({
        ok: true,
        target: target.describe,
        version: r.version,
        replaced: r.replaced,
        kcv: r.kcvs,
        ...(diversified ? { diversified } : {}),
        versionsBefore: before,
        versionsOnCard: versions,
      });
    }
    const what = r.replaced === 0 ? "added" : r.replaced === r.version ? "replaced" : `added in place of version ${r.replaced}`;
    ctx.out(`Key set version ${r.version} ${what}: KCV ENC ${r.kcvs.enc} MAC ${r.kcvs.mac} DEK ${r.kcvs.dek}`);
    if (diversified) {
      ctx.out(`Diversified with ${diversified.kdf.toUpperCase()} from the card's key diversification data ${diversified.kdd}: open the next session with --key ${diversified.kdf}:MASTER`);
    }
    const list = (v: number[]) => `version${v.length === 1 ? "" : "s"} ${v.join(", ")}`;
    if (versions.length > 0) ctx.out(`The card now holds key set ${list(versions)}${before.length > 0 ? ` (before: ${list(before)})` : ""}`);
  });
}

/** `--public FILE` (DAP key 73 by default, token key with --new-key-version 70) or `--receipt-key HEX` (71). */
async function putOtherKey(ctx: Context, flags: PutKeyFlags): Promise<void> {
  if (flags.public !== undefined && flags.receiptKey !== undefined) throw new UsageError("--public and --receipt-key exclude each other: put one key at a time");
  const replace = version("replace-version", flags.replaceVersion, 0);
  if (flags.public !== undefined) {
    const key = publicKeyFile(flags.public, "--public");
    const v = version("new-key-version", flags.newKeyVersion, 1) ?? DM_KEY_VERSION.DAP;
    await withSession(ctx, flags, async (session, target) => {
      await putPublic(session, key, v, replace !== undefined && replace !== 0);
      if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, version: v, type: key.asymmetricKeyType });
      ctx.out(`Public ${key.asymmetricKeyType?.toUpperCase()} key put as version ${v} (${v === DM_KEY_VERSION.DAP ? "DAP" : v === DM_KEY_VERSION.TOKEN ? "token verification" : "public"} key)`);
    });
    return;
  }
  const text = flags.receiptKey!.replace(/\s+/g, "");
  if (!isHex(text) || ![16, 24, 32].includes(text.length / 2)) throw new UsageError("--receipt-key must be a 16, 24 or 32-byte key in hex");
  const v = version("new-key-version", flags.newKeyVersion, 1) ?? DM_KEY_VERSION.RECEIPT;
  await withSession(ctx, flags, async (session, target) => {
    await putSingleKey(session, fromHex(text), v);
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, version: v, kcv: kcvHex(fromHex(text), session.scp === "03" ? "AES" : "3DES") });
    ctx.out(`Receipt key put as version ${v}: KCV ${kcvHex(fromHex(text), session.scp === "03" ? "AES" : "3DES")}`);
  });
}
