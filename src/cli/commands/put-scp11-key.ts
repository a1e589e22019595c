/**
 * `webcard put-key --scp11-ca FILE` and `--scp11-key FILE --scp11-cert FILE...`:
 * the card's SCP11 keys, in a session of any AES channel (SCP03, or SCP11
 * itself). Only fingerprints are printed.
 */
import { UsageError } from "../../stack/errors.ts";
import { fingerprint } from "../../stack/gp/scp11/fingerprint.ts";
import { putScp11CaKey, putScp11SdKey } from "../../host/gp/put-scp11-key.ts";
import type { Context } from "../context.ts";
import { certificateFileFrom, listFrom } from "../option-values.ts";
import { ecKeyFile } from "../pem.ts";
import { withSession } from "../session.ts";
import type { KeyFlags } from "../options.ts";

/** The flags of `webcard put-key` this file reads. */
export interface Scp11PutKeyFlags extends KeyFlags {
  newKey?: string;
  newKeyVersion?: string;
  replaceVersion?: string;
  public?: string;
  receiptKey?: string;
  /** SCP11: the CA-KLOC public key (PEM), the SD's ECKA key pair (PEM) and its certificate chain. */
  scp11Ca?: string;
  scp11Key?: string;
  scp11Cert?: string[];
}

function versionFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^0x/i.test(text) ? Number.parseInt(text.slice(2), 16) : Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 0x7f) throw new UsageError(`--new-key-version must be 1 to 127, got '${text}'`);
  return n;
}

export async function putScp11Key(ctx: Context, flags: Scp11PutKeyFlags): Promise<void> {
  const others = [flags.newKey && "--new-key", flags.public && "--public", flags.receiptKey && "--receipt-key", flags.replaceVersion && "--replace-version"].filter(Boolean);
  if (others.length > 0) throw new UsageError(`${others.join(", ")} and the --scp11-* options exclude each other: put one kind of key at a time`);
  if (flags.scp11Ca !== undefined && flags.scp11Key !== undefined) throw new UsageError("--scp11-ca and --scp11-key exclude each other: put one key at a time");
  const kvn = versionFrom(flags.newKeyVersion);
  if (flags.scp11Ca !== undefined) {
    if (flags.scp11Cert?.length) throw new UsageError("--scp11-cert goes with --scp11-key (the CA key needs no certificate on the card)");
    const ca = ecKeyFile(flags.scp11Ca, "--scp11-ca");
    await withSession(ctx, flags, async (session, target) => {
      const r = await putScp11CaKey(session, ca, kvn);
      if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, kid: "10", version: r.kvn, curve: ca.curve.name, fingerprint: fingerprint(ca.point) });
      ctx.out(`SCP11 CA-KLOC key put as key 10 version ${r.kvn}: ${ca.curve.name} ${fingerprint(ca.point)}; OCE certificates must now chain to it`);
    });
    return;
  }
  if (flags.scp11Key === undefined) throw new UsageError("--scp11-cert goes with --scp11-key FILE (the key it certifies)");
  const key = ecKeyFile(flags.scp11Key, "--scp11-key");
  if (!key.d) throw new UsageError(`--scp11-key ${flags.scp11Key} holds no private key: the card needs the key pair`);
  const certificates = listFrom(flags.scp11Cert).map((f) => certificateFileFrom(f, "--scp11-cert"));
  await withSession(ctx, flags, async (session, target) => {
    const r = await putScp11SdKey(session, { ...key, d: key.d! }, certificates, kvn);
    const kids = r.kids.map((k) => k.toString(16)).join(", ");
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, kids: r.kids.map((k) => k.toString(16)), version: r.kvn, curve: key.curve.name, fingerprint: fingerprint(key.point), certificates: certificates.length });
    ctx.out(`SCP11 ECKA key put as key ${kids} version ${r.kvn}: ${key.curve.name} ${fingerprint(key.point)}, with ${certificates.length} certificate${certificates.length === 1 ? "" : "s"}`);
  });
}
