/** CLI commands of the link area: declarations only; implementations are imported lazily. */
import type { CAC } from "cac";
import { run } from "./context.ts";
import type { FetchFlags } from "./link-impl.ts";
import { readerOptions } from "./pcsc-commands.ts";

export function register(cli: CAC): void {
  readerOptions(
    cli.command("fetch <path>", "Send an HTTP request to the card's web server over the web-card link and print the response"),
  )
    .option("-X, --request <method>", "HTTP method (default GET, or POST with -d)")
    .option("-H, --header <header>", "Request header 'Name: value' (repeatable)")
    .option("-d, --data <data>", "Request body; @FILE reads it from a file")
    .option("-i, --include", "Print the status line and headers before the body")
    .option("--auth", "Authenticate first (SCP02/SCP03) with --key or the default test key")
    .option("--short", "Use short APDUs even when card and reader take extended ones")
    .option("--sim [state]", "Use an in-process simulated card with the link application (state file)")
    .option("--key <hex>", "Static key for --auth (hex) or 'default'; env WEBCARD_KEY or GP_KEY")
    .option("--kdf <name>", "Key diversification: none, emv, visa2 or kdf3 (default none)")
    .option("--scp <version>", "Secure channel protocol 02 or 03 (default: what the card offers)")
    .option("--mode <level>", "Security level: clear, mac, enc, rmac or renc (default mac)")
    .example("webcard fetch / --sim")
    .example("webcard fetch /loader -H 'Accept: text/html' --sim")
    .example("webcard fetch /admin/scripts --auth -r 'Virtual PCD'")
    .action((path: string, flags: FetchFlags) =>
      run(flags, async (ctx) => {
        const { fetchCommand } = await import("./link-impl.ts");
        await fetchCommand(ctx, path, flags);
      }),
    );
}
