/** `webcard sim`: declaration only; the implementation (commands/sim.ts) is imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import type { SimFlags } from "../commands/sim.ts";
import { JAVA_CARD_HELP } from "../options.ts";

export function register(cli: CAC): void {
  cli
    .command("sim", "Run the simulated card on a vpcd virtual reader until stopped (Ctrl-C)")
    .option("--vpcd <host:port>", "vpcd reader to attach to (default 127.0.0.1:35963, the first 'Virtual PCD')")
    .option("--state <file>", "Card memory file (default: card.sqlite in the user's data directory)")
    .option("--key <hex>", "Factory key for ENC, MAC and DEK when the memory is created or reset (default 404142..4F)")
    .option("--scp <version>", "Factory secure channel protocol 02 (3DES) or 03 (AES) (default 03); 11, 11a, 11b or 11c adds SCP11 beside SCP03 (the host's first command chooses)")
    .option("--ca-key <file>", "SCP11: the CA's private key (PEM) that signs the card's certificate and that OCE certificates must chain to (default: made once, kept beside the state file)")
    .option("--curve <name>", "SCP11: the card's key curve P-256, P-384 or P-521 (default: the CA key's curve, else P-256)")
    .option("--s16", "SCP11: S16 mode, 16-byte MACs (default S8); applies to a card made now and to an existing one's SCP11 keys")
    .option("--memory <bytes>", "Persistent memory size in bytes (default 65536)")
    .option("--java-card <version>", JAVA_CARD_HELP)
    .option("--open", "Allow content management without a secure channel (test vectors)")
    .option("--reset", "Restore the factory state before starting (forgets packages, keys, counters; a damaged or foreign file is kept aside)")
    .option("--jcvm <on|off>", "Run installed applets' bytecode (on, the default) or answer as stubs: SELECT 9000, anything else 6D00 (off)")
    .option("--trace-vm", "Print every method call the Java Card VM makes (stderr)")
    .option("--max-block <bytes>", "Largest command data the ISD announces (FCI 9F65) and takes in one LOAD: 1-65535 (default 255; above 255 needs extended-length APDUs)")
    .option("--mandated-dap", "The ISD has Mandated DAP Verification: every load needs a DAP signature verified with its DAP key (PUT KEY version 73)")
    .option("--allow-terminate", "Let SET STATUS terminate the card (refused otherwise, so a test card is not lost by mistake)")
    .option("--profile <name|file>", "Behave as this real card does toward a loader (ATR, T=0/T=1, ISD AID, FCI, keys, GET DATA and GET STATUS answers, memory...): a name from --profiles or a profile file; default gp23, or the profile the state file was made for")
    .option("--timing <name|ms>", "Take the time a real card takes (off by default): a profile's per-command and per-LOAD-byte figures from its traces (NAME), or MS ms a command; plus the bytes' time at the card's bit rate (ATR TA1, or the profile's)")
    .option("--profiles", "List the card profiles with the card, maker and where their facts come from, and exit")
    .option("--no-link", "Leave out the web-card link application, for a plain GlobalPlatform card (the link is on by default)")
    .example("webcard sim --vpcd 127.0.0.1:35963 --state /tmp/card.sqlite")
    .example("webcard sim --scp 11 --curve P-384")
    .example("webcard sim --profile jcop4-t0 --state /tmp/jcop.sqlite")
    .example("webcard sim --profile jcop242 --timing jcop242")
    .example("opensc-tool -r 'Virtual PCD 00 00' -s 00A4040008A000000151000000")
    .action((flags: SimFlags) =>
      run(flags, async (ctx) => {
        const { simCommand } = await import("../commands/sim.ts");
        await simCommand(ctx, flags);
      }),
    );
}
