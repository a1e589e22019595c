/** CLI commands of the cap area: declarations only; implementations are imported lazily. */
import type { CAC } from "cac";
import { run, type GlobalFlags } from "./context.ts";

export function register(cli: CAC): void {
  cli
    .command("cap <file>", "Show what a CAP (or IJC) file holds: package, applets, imports, load size and hashes")
    .example("webcard cap applet.cap --json")
    .action((file: string, flags: GlobalFlags) =>
      run(flags, async (ctx) => {
        const { capCommand } = await import("./cap-impl.ts");
        await capCommand(ctx, file);
      }),
    );
}
