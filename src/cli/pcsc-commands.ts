/** CLI commands of the pcsc area: declarations only; implementations are imported lazily. */
import type { CAC, Command } from "cac";
import { run, type GlobalFlags } from "./context.ts";

/** Options every command that talks to a card through a reader takes. */
export interface ReaderFlags {
  reader?: string | number;
  timeout?: string | number;
}

/** Add `-r, --reader <reader>` and `--timeout <seconds>` to a command (reader choice of src/host/pcsc). */
export function readerOptions(cmd: Command): Command {
  return cmd
    .option("-r, --reader <reader>", "Reader by exact name, part of its name or number (1 = first); default: $WEBCARD_READER, else the only reader holding a card")
    .option("--timeout <seconds>", "Give up on a card that does not answer a command within this many seconds (default 30)");
}

export function register(cli: CAC): void {
  cli
    .command("readers", "List the PC/SC readers: name, card present, ATR, protocol")
    .example("webcard readers --json")
    .action((flags: GlobalFlags) =>
      run(flags, async (ctx) => {
        const { readersCommand } = await import("./pcsc-impl.ts");
        await readersCommand(ctx);
      }),
    );

  readerOptions(
    cli
      .command("apdu <...hex>", "Send command APDUs (hex) to the card; print each response and its status word")
      .example("webcard apdu 00A4040008A000000151000000 80CA9F7F00")
      .example("webcard apdu -r 2 --json 00A4040000"),
  ).action((hex: unknown[], flags: GlobalFlags & ReaderFlags) =>
    run(flags, async (ctx) => {
      const { apduCommand } = await import("./pcsc-impl.ts");
      await apduCommand(ctx, hex, flags);
    }),
  );
}
