/** `webcard readers` and `webcard apdu`: declarations only; implementations are imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import { readerOptions, type GlobalFlags, type ReaderFlags } from "../options.ts";

export function register(cli: CAC): void {
  cli
    .command("readers", "List the PC/SC readers: name, card present, ATR, protocol")
    .example("webcard readers --json")
    .action((flags: GlobalFlags) =>
      run(flags, async (ctx) => {
        const { readersCommand } = await import("../commands/readers.ts");
        await readersCommand(ctx);
      }),
    );

  readerOptions(
    cli
      .command("apdu <...hex>", "Send command APDUs (hex) to the card; print each response and its status word")
      .example("webcard apdu 00A4040008A000000151000000 80CA9F7F00")
      .example("webcard apdu -r 2 --json 00A4040000"),
  ).action((hex: string[], flags: ReaderFlags) =>
    run(flags, async (ctx) => {
      const { apduCommand } = await import("../commands/apdu.ts");
      await apduCommand(ctx, hex, flags);
    }),
  );
}
