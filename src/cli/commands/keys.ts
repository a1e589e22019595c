/**
 * `webcard keys generate-oce`: an OCE key pair and its GP certificate
 * (amendment F 6.1.2) signed by a CA key, for SCP11a/c. Only fingerprints
 * are printed; the private key goes to a file of mode 600, never to output.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromHex, isHex, toHex } from "../../stack/bytes.ts";
import { UsageError } from "../../stack/errors.ts";
import { parseCertificate } from "../../stack/gp/scp11/certificate.ts";
import { curveByName, ecKeyPem, type EcKey } from "../../stack/gp/scp11/curves.ts";
import { fingerprint } from "../../stack/gp/scp11/fingerprint.ts";
import { generateOce } from "../../stack/gp/scp11/oce.ts";
import type { Context } from "../context.ts";
import type { GlobalFlags } from "../options.ts";
import { ecKeyFile } from "../pem.ts";

/** Flags of `webcard keys generate-oce`. */
export interface KeysFlags extends GlobalFlags {
  caKey?: string;
  out?: string;
  curve?: string;
  days?: string;
  keyUsage?: string;
}

export async function keysCommand(ctx: Context, action: string, flags: KeysFlags): Promise<void> {
  if (action !== "generate-oce") throw new UsageError(`Unknown keys action '${action}': use webcard keys generate-oce`);
  if (!flags.caKey) throw new UsageError("generate-oce needs the CA's private key: give --ca-key FILE");
  const days = flags.days === undefined ? 365 : Number(flags.days);
  if (!Number.isInteger(days) || Math.abs(days) > 36500) throw new UsageError(`--days must be a whole number of days, got '${flags.days}'`);
  const usageText = flags.keyUsage?.trim() ?? "0080";
  if (!isHex(usageText) || usageText.length === 0 || usageText.length > 4) throw new UsageError(`--key-usage must be 1 or 2 bytes of hex, got '${usageText}'`);
  const ca = ecKeyFile(flags.caKey, "CA key");
  if (!ca.d) throw new UsageError(`CA key ${flags.caKey} holds no private key: a certificate is signed with the private key`);
  const dir = flags.out ?? ".";
  const keyPath = join(dir, "oce-key.pem");
  const certPath = join(dir, "oce-cert.gp");
  for (const p of [keyPath, certPath]) if (existsSync(p)) throw new UsageError(`${p} exists: remove it or choose another --out`);
  const oce = generateOce({
    ca: ca as EcKey & { d: Uint8Array },
    ...(flags.curve ? { curve: curveByName(flags.curve) } : {}),
    days,
    keyUsage: fromHex(usageText),
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyPath, ecKeyPem(oce.key), { mode: 0o600 });
  writeFileSync(certPath, oce.certificate);
  const cert = parseCertificate(oce.certificate);
  const summary = {
    key: keyPath,
    certificate: certPath,
    curve: oce.key.curve.name,
    fingerprint: fingerprint(oce.key.point),
    subject: toHex(cert.subjectId),
    issuer: toHex(cert.caKlocId),
    caFingerprint: fingerprint(ca.point),
    expires: cert.expiration.toISOString().slice(0, 10),
  };
  if (ctx.json) return ctx.printJson(summary);
  ctx.out(
    `OCE key ${summary.curve} ${summary.fingerprint} in ${keyPath}; certificate ${certPath}: subject ${summary.subject}, issued by CA ${summary.issuer} (${summary.caFingerprint}), valid to ${summary.expires}`,
  );
}
