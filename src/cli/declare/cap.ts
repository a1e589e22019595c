/** `webcard cap`: declaration only; the implementation (commands/cap.ts) is imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import type { GlobalFlags } from "../options.ts";

export function register(cli: CAC): void {
  cli
    .command("cap <file>", "Show what a CAP (or IJC) file holds: package (for an extended file its CAP AID and every package), applets, imports, load size and hashes")
    .example("webcard cap applet.cap --json")
    .action((file: string, flags: GlobalFlags) =>
      run(flags, async (ctx) => {
        const { capCommand } = await import("../commands/cap.ts");
        await capCommand(ctx, file);
      }),
    );
}
