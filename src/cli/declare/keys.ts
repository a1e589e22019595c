/** `webcard keys`: declaration only; the implementation (commands/keys.ts) is imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import type { KeysFlags } from "../commands/keys.ts";

export function register(cli: CAC): void {
  cli
    .command("keys <action>", "Key material for SCP11: 'generate-oce' makes an OCE key pair and its GP certificate signed by a CA key")
    .option("--ca-key <file>", "The CA's private key (PEM) that signs the certificate, e.g. the one webcard sim --scp 11 made")
    .option("--out <dir>", "Where to write oce-key.pem and oce-cert.gp (default: the current directory)")
    .option("--curve <name>", "P-256, P-384 or P-521 (default: the CA key's curve)")
    .option("--days <n>", "Days of validity (default 365)")
    .option("--key-usage <hex>", "Certificate key usage (default 0080, key agreement)")
    .example("webcard keys generate-oce --ca-key card.sqlite.scp11-ca.pem --out ./oce")
    .action((action: string, flags: KeysFlags) =>
      run(flags, async (ctx) => {
        const { keysCommand } = await import("../commands/keys.ts");
        await keysCommand(ctx, action, flags);
      }),
    );
}
