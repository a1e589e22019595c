/** `webcard fetch`: declaration only; the implementation (commands/fetch.ts) is imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import { channelOptions, REPEATABLE, targetOptions } from "../options.ts";
import type { FetchFlags } from "../commands/fetch.ts";

export function register(cli: CAC): void {
  channelOptions(
    targetOptions(
      cli.command("fetch <path>", "Send an HTTP request to the card's web server over the web-card link and print the response"),
      "Use an in-process simulated card with the link application (state file)",
    )
      .option("-X, --request <method>", "HTTP method (default GET, or POST with -d)")
      .option("-H, --header <header>", "Request header 'Name: value' (repeatable)", REPEATABLE)
      .option("-d, --data <data>", "Request body; @FILE reads it from a file")
      .option("-i, --include", "Print the status line and headers before the body")
      .option("--auth", "Authenticate first (SCP02/SCP03) with --key or the default test key")
      .option("--short", "Use short APDUs even when card and reader take extended ones"),
  )
    .example("webcard fetch / --sim")
    .example("webcard fetch /loader -H 'Accept: text/html' --sim")
    .example("webcard fetch /admin/scripts --auth -r 'Virtual PCD'")
    .action((path: string, flags: FetchFlags) =>
      run(flags, async (ctx) => {
        const { fetchCommand } = await import("../commands/fetch.ts");
        await fetchCommand(ctx, path, flags);
      }),
    );
}
