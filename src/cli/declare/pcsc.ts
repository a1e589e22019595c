/** `webcard readers` and `webcard apdu`: declarations only; implementations are imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import { channelOptions, targetOptions, type GlobalFlags } from "../options.ts";
import type { ApduFlags } from "../commands/apdu.ts";

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

  channelOptions(
    targetOptions(
      cli
        .command("apdu [...hex]", "Send command APDUs (hex) to the card; print each response and its status word")
        .option("--file <path>", "Also send the APDUs of a script file: one a line, '#' starts a comment")
        .option("--secure [level]", "Send them inside an authenticated secure channel to the security domain: mac or enc (default: --mode, else mac)")
        .example("webcard apdu 00A4040008A000000151000000 80CA9F7F00")
        .example("webcard apdu --sim --secure 80CA006600")
        .example("webcard apdu -r 2 --json --file script.apdu"),
    ),
  )
    .option("--key-version <n>", "Key set version for --secure (default 0 = the card's choice)")
    .option("--isd <aid>", "AID of the security domain for --secure (default: discovered)")
    .action((hex: string[], flags: ApduFlags) =>
      run(flags, async (ctx) => {
        const { apduCommand } = await import("../commands/apdu.ts");
        await apduCommand(ctx, hex, flags);
      }),
    );
}
