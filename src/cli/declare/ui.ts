/** `webcard ui`: declaration only; the implementation (commands/ui.ts) is imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import type { UiFlags } from "../commands/ui.ts";
import { JAVA_CARD_HELP, usesGlobals } from "../options.ts";

export function register(cli: CAC): void {
  usesGlobals(cli.command("ui", "Open the local dashboard: readers and cards live, install with progress, the card's own pages"), "trace")
    .option("--port <n>", "Port on 127.0.0.1 to listen on (default 0: a free port)")
    .option("--sim [state]", "Add an in-process simulated card as a reader (state file; default: the sim's default state)")
    .option("--java-card <version>", `With --sim: ${JAVA_CARD_HELP}`)
    .option("--profile <name|file>", "With --sim: a new simulated card behaves as this real card (webcard sim --profiles); an existing state keeps its own")
    .option("--timeout <seconds>", "Give up on a card that does not answer a command within this many seconds, in every operation the dashboard runs (default 30)")
    .option("--open", "Open the dashboard in the default browser")
    .example("webcard ui --sim --open")
    .action((flags: UiFlags) =>
      run(flags, async (ctx) => {
        const { uiCommand } = await import("../commands/ui.ts");
        await uiCommand(ctx, flags);
      }),
    );
}
