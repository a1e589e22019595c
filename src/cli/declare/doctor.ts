/** `webcard doctor`: declaration only; the implementation (commands/doctor.ts) is imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import { targetOptions } from "../options.ts";
import type { DoctorFlags } from "../commands/doctor.ts";

export function register(cli: CAC): void {
  targetOptions(
    cli.command(
      "doctor",
      "Report what the card is, for a support ticket: ATR decoded, ISD, GP version, SCP and keys, CPLC, 9F65, memory, Java Card, the quirks webcard copes with, the card profile it resembles (no authentication)",
    ),
  )
    .option("--isd <aid>", "AID of the security domain (default: discovered)")
    .option("--init-update", "Also send INITIALIZE UPDATE (never EXTERNAL AUTHENTICATE) to show the SCP, i, key version and KDD the card answers with; it moves the card's sequence counter")
    .option("--key-version <n>", "Key set version for --init-update (default 0 = the card's choice)")
    .example("webcard doctor")
    .example("webcard doctor -r 2 --init-update --json > card-report.json")
    .action((flags: DoctorFlags) =>
      run(flags, async (ctx) => {
        const { doctorCommand } = await import("../commands/doctor.ts");
        await doctorCommand(ctx, flags);
      }),
    );
}
