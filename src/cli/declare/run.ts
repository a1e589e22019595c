/** `webcard run`: declaration only; the implementation (commands/run.ts) is imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import type { RunFlags } from "../commands/run.ts";
import { usesGlobals } from "../options.ts";

export function register(cli: CAC): void {
  usesGlobals(cli.command("run <file> [...apdus]", "Install a CAP on a fresh in-process card, select its first applet and send it APDUs (no reader needed)"), "trace")
    .option("--params <hex>", "Application parameters for the applets' install (the value of C9)")
    .option("--memory <bytes>", "Persistent memory of the card (default 65536)")
    .option("--java-card <version>", "Java Card API the card ships (default 3.0.5)")
    .option("--trace-vm", "Print every method call the Java Card VM makes (stderr)")
    .example("webcard run helloworld.cap 8010000000")
    .example("webcard run applet.cap --trace-vm 00A4040000 80CA9F7F00")
    .action((file: string, apdus: string[], flags: RunFlags) =>
      run(flags, async (ctx) => {
        const { runCommand } = await import("../commands/run.ts");
        await runCommand(ctx, file, apdus, flags);
      }),
    );
}
