/** CLI commands of the gp area: declarations only; implementations are imported lazily. */
import type { CAC, Command } from "cac";
import { run } from "./context.ts";
import type { GpFlags, InstallFlags } from "./gp-options.ts";
import type { PutKeyFlags } from "./gp-impl.ts";
import { readerOptions } from "./pcsc-commands.ts";

/** Where the card is: a reader, or the simulated card. */
function targetOptions(cmd: Command): Command {
  return readerOptions(cmd)
    .option("--sim [state]", "Use an in-process simulated card instead of a reader (state file; default: the sim's default state)");
}

/** Keys and secure channel, for every command that authenticates. */
function keyOptions(cmd: Command): Command {
  return targetOptions(cmd)
    .option("--key <hex>", "Static key for ENC, MAC and DEK (hex) or 'default' (404142..4F), optionally as emv:KEY, visa2:KEY or kdf3:KEY; env WEBCARD_KEY, or GP_KEY (with GP_KEY_KDF, GP_KEY_VER, GP_KEY_ENC/_MAC/_DEK)")
    .option("--kdf <name>", "Key diversification: none, emv, visa2 or kdf3 (default none)")
    .option("--scp <version>", "Secure channel protocol 02 or 03 (default: what the card offers)")
    .option("--mode <level>", "Security level: clear, mac (C-MAC), enc (+ encryption), rmac (enc + R-MAC) or renc (rmac + R-ENC, SCP03) (default mac)")
    .option("--key-version <n>", "Key set version to use (default 0 = the card's choice)")
    .option("--isd <aid>", "AID of the security domain (default: discovered)")
    .option("--block-size <n>", "LOAD block size in bytes (default: from the card, 247 with MAC, 239 with encryption; over 255 needs extended-length APDUs)");
}

export function register(cli: CAC): void {
  targetOptions(cli.command("info", "Show what the card tells without authentication: ISD, GP version, keys, CPLC"))
    .option("--isd <aid>", "AID of the security domain (default: discovered)")
    .example("webcard info --sim --json")
    .action((flags: GpFlags) =>
      run(flags, async (ctx) => {
        const { infoCommand } = await import("./gp-impl.ts");
        await infoCommand(ctx, flags);
      }),
    );

  keyOptions(cli.command("list", "List the security domains, applications and packages on the card"))
    .example("webcard list -r 'Virtual PCD' --key default --json")
    .action((flags: GpFlags) =>
      run(flags, async (ctx) => {
        const { listCommand } = await import("./gp-impl.ts");
        await listCommand(ctx, flags);
      }),
    );

  keyOptions(cli.command("load <file>", "Load a CAP file's package onto the card without installing applets"))
    .example("webcard load library.cap --mode enc")
    .action((file: string, flags: GpFlags) =>
      run(flags, async (ctx) => {
        const { loadCommand } = await import("./gp-install-impl.ts");
        await loadCommand(ctx, file, flags);
      }),
    );

  keyOptions(cli.command("install <file>", "Load a CAP file and install its applets (all of them unless --applet)"))
    .option("--applet <aid>", "Applet to install (repeatable or comma-separated; default: every applet)")
    .option("--instance <aid>", "Instance AID, one per installed applet (default: the applet AID)")
    .option("--privs <list>", "Privileges by name, comma-separated (security-domain, card-reset, ...) or hex")
    .option("--params <hex>", "Install parameters: raw applet parameters (wrapped in C9) or a C9 field")
    .option("--default", "Make the new instance the default selected application (card-reset privilege)")
    .option("--via <path>", "Install path: web (the card's own loader), bridge (the same flow on the terminal), gp (direct GlobalPlatform) or auto (default: web when the card has the link, else bridge)")
    .option("--force", "Replace the package if it is already on the card: delete it and its instances first, then load it again (without --force, a package of the same version with none of the new instances is installed from without loading again)")
    .example("webcard install applet.cap --instance A000000001 --privs card-reset")
    .action((file: string, flags: InstallFlags) =>
      run(flags, async (ctx) => {
        const { installCommand } = await import("./gp-install-impl.ts");
        await installCommand(ctx, file, flags);
      }),
    );

  keyOptions(cli.command("delete <aid>", "Delete an application, security domain or package"))
    .option("--force", "Also delete related objects (a package's instances)")
    .example("webcard delete 0102030405 --force")
    .action((aid: string, flags: GpFlags & { force?: boolean }) =>
      run(flags, async (ctx) => {
        const { deleteCommand } = await import("./gp-impl.ts");
        await deleteCommand(ctx, aid, flags);
      }),
    );

  keyOptions(cli.command("lock <aid>", "Lock an application (it can no longer be selected)")).action(
    (aid: string, flags: GpFlags) =>
      run(flags, async (ctx) => {
        const { lockCommand } = await import("./gp-impl.ts");
        await lockCommand(ctx, aid, flags, true);
      }),
  );

  keyOptions(cli.command("unlock <aid>", "Unlock a locked application")).action((aid: string, flags: GpFlags) =>
    run(flags, async (ctx) => {
      const { lockCommand } = await import("./gp-impl.ts");
      await lockCommand(ctx, aid, flags, false);
    }),
  );

  keyOptions(cli.command("put-key", "Put a new key set (ENC, MAC, DEK) on the card's security domain"))
    .option("--new-key <hex>", "The new key for ENC, MAC and DEK (hex) or 'default'")
    .option("--new-key-version <n>", "Version of the new key set, 1-127 (default 1)")
    .option("--replace-version <n>", "Key set version to replace (default: the one in use; 0 adds a set)")
    .example("webcard put-key --new-key 00112233445566778899AABBCCDDEEFF --new-key-version 1")
    .action((flags: PutKeyFlags) =>
      run(flags, async (ctx) => {
        const { putKeyCommand } = await import("./gp-impl.ts");
        await putKeyCommand(ctx, flags);
      }),
    );

  cli
    .command("demo", "Build a sample applet, install it on an in-process simulated card and list the card (no reader needed)")
    .action((flags: GpFlags) =>
      run(flags, async (ctx) => {
        const { demoCommand } = await import("./gp-demo.ts");
        await demoCommand(ctx);
      }),
    );
}
