/** The GlobalPlatform commands: declarations only; each implementation (commands/NAME.ts) is imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import { keyOptions, loadOptions, REPEATABLE, targetOptions, usesGlobals, type GlobalFlags, type KeyFlags } from "../options.ts";
import type { InfoFlags } from "../commands/info.ts";
import type { InstallFlags } from "../commands/install.ts";
import type { DeleteFlags } from "../commands/delete.ts";
import type { ListFlags } from "../commands/list.ts";
import type { PutKeyFlags } from "../commands/put-key.ts";
import type { LoadFlags } from "../commands/load.ts";

export function register(cli: CAC): void {
  targetOptions(cli.command("info", "Show what the card tells without authentication: ISD, GP version, keys, CPLC"))
    .option("--isd <aid>", "AID of the security domain (default: discovered)")
    .option("--tag <hex>", "Print only this data object (GET DATA), for example 9F7F (CPLC), 66 (card data), 00E0 (key information)")
    .example("webcard info --sim --json")
    .example("webcard info --tag 9F7F")
    .action((flags: InfoFlags) =>
      run(flags, async (ctx) => {
        const { infoCommand } = await import("../commands/info.ts");
        await infoCommand(ctx, flags);
      }),
    );

  keyOptions(cli.command("list", "List the security domains, applications and packages on the card"))
    .option("--all", "Also list the Java Card API packages every card carries (always in --json)")
    .example("webcard list -r 'Virtual PCD' --key default --json")
    .action((flags: ListFlags) =>
      run(flags, async (ctx) => {
        const { listCommand } = await import("../commands/list.ts");
        await listCommand(ctx, flags);
      }),
    );

  loadOptions(cli.command("load <file>", "Load a CAP file's package onto the card without installing applets"))
    .option("--domain <aid>", "Security domain to load into (default the one the session is with, see --sd)")
    .option("--dap-key <file>", "Sign the load file data block hash (PEM private key, RSA 1024-3072 or EC P-256) and send the DAP block")
    .option("--dap-domain <aid>", "Security domain the DAP is for (default --domain, else --sd, else the ISD)")
    .option("--hash <alg>", "Load file data block hash in INSTALL [for load]: sha256 (default with --dap-key or --dm-token-key) or sha1")
    .option("--dm-token-key <file>", "Card Issuer's token key (PEM private key): INSTALL [for load] carries a delegated-management token")
    .example("webcard load library.cap --mode enc")
    .example("webcard load applet.cap --sd A00000015153504101 --dap-key dap.pem --dm-token-key token.pem")
    .action((file: string, flags: LoadFlags) =>
      run(flags, async (ctx) => {
        const { loadCommand } = await import("../commands/load.ts");
        await loadCommand(ctx, file, flags);
      }),
    );

  loadOptions(cli.command("install <file>", "Load a CAP file and install its applets (all of them unless --applet)"))
    .option("--applet <aid>", "Applet to install (repeatable or comma-separated; default: every applet)", REPEATABLE)
    .option("--instance <aid>", "Instance AID, one per installed applet (default: the applet AID)", REPEATABLE)
    .option("--privs <list>", "Privileges by name, comma-separated (security-domain, card-reset, ...) or hex")
    .option("--params <hex>", "Install parameters: raw applet parameters (wrapped in C9) or a C9 field")
    .option("--default [interface]", "Make the new instance the default selected application: alone, the card-reset privilege; contact, contactless or both: implicit selection on that interface (amendment C, CF in the install parameters)")
    .option("--via <path>", "Install path: web (the card's own loader), bridge (the same flow on the terminal), gp (direct GlobalPlatform) or auto (default: web when the card has the link, else bridge)")
    .option("--force", "Replace the package if it is already on the card: delete it and its instances first, then load it again (without --force, a package of the same version with none of the new instances is installed from without loading again)")
    .option("--domain <aid>", "Load into this security domain (INSTALL [for load] names it) and associate the new instances with it (INSTALL [for extradition]); --via gp or bridge")
    .option("--dap-key <file>", "Sign the load file data block hash (PEM private key, RSA 1024-3072 or EC P-256) and send the DAP block; --via gp or bridge")
    .option("--dap-domain <aid>", "Security domain the DAP is for (default --domain, else --sd, else the ISD)")
    .option("--hash <alg>", "Load file data block hash in INSTALL [for load]: sha256 (default with --dap-key or --dm-token-key) or sha1")
    .option("--dm-token-key <file>", "Card Issuer's token key (PEM private key): INSTALL [for load], [for install] and [for extradition] carry delegated-management tokens; --via gp or bridge")
    .example("webcard install applet.cap --instance A000000001 --privs card-reset")
    .example("webcard install applet.cap --sd A00000015153504101 --domain A00000015153504101 --dap-key dap.pem --dm-token-key token.pem")
    .action((file: string, flags: InstallFlags) =>
      run(flags, async (ctx) => {
        const { installCommand } = await import("../commands/install.ts");
        await installCommand(ctx, file, flags);
      }),
    );

  keyOptions(cli.command("delete <aid>", "Delete an application, security domain or package"))
    .option("--force", "Also delete related objects (a package's instances)")
    .example("webcard delete 0102030405 --force")
    .action((aid: string, flags: DeleteFlags) =>
      run(flags, async (ctx) => {
        const { deleteCommand } = await import("../commands/delete.ts");
        await deleteCommand(ctx, aid, flags);
      }),
    );

  keyOptions(cli.command("lock <aid>", "Lock an application (it can no longer be selected)")).action(
    (aid: string, flags: KeyFlags) =>
      run(flags, async (ctx) => {
        const { lockCommand } = await import("../commands/lock.ts");
        await lockCommand(ctx, aid, flags, true);
      }),
  );

  keyOptions(cli.command("unlock <aid>", "Unlock a locked application")).action((aid: string, flags: KeyFlags) =>
    run(flags, async (ctx) => {
      const { lockCommand } = await import("../commands/lock.ts");
      await lockCommand(ctx, aid, flags, false);
    }),
  );

  keyOptions(cli.command("put-key", "Put a new key set (ENC, MAC, DEK) on the card's security domain"))
    .option("--new-key <hex>", "The new key for ENC, MAC and DEK (hex) or 'default'; kdf3:MASTER (SCP03), emv:MASTER or visa2:MASTER (SCP02) put this card's keys diversified from MASTER with its key diversification data")
    .option("--new-key-version <n>", "Version of the new key set, 1-127 (default 1)")
    .option("--replace-version <n>", "Key set version to replace (default: the one in use; 0 adds a set)")
    .option("--public <file>", "Put a public key (PEM): a DAP key (default version 0x73) or, with --new-key-version 0x70, the ISD's token key")
    .option("--receipt-key <hex>", "Put the ISD's receipt key (one AES or 3DES key, default version 0x71)")
    .option("--scp11-ca <file>", "SCP11: put the CA-KLOC public key (PEM) OCE certificates must chain to (key 10)")
    .option("--scp11-key <file>", "SCP11: put the SD's ECKA key pair (PEM private key) on its keys 11/13/15, with --scp11-cert")
    .option("--scp11-cert <file>", "SCP11: the certificate of --scp11-key (GP format), repeat for a chain, CA side first; stored by STORE DATA", REPEATABLE)
    .example("webcard put-key --new-key 00112233445566778899AABBCCDDEEFF --new-key-version 1")
    .example("webcard put-key --new-key kdf3:00112233445566778899AABBCCDDEEFF --new-key-version 1")
    .example("webcard put-key --scp 11a --oce-key oce.pem --oce-cert oce.gp --scp11-ca new-ca.pem")
    .action((flags: PutKeyFlags) =>
      run(flags, async (ctx) => {
        const { putKeyCommand } = await import("../commands/put-key.ts");
        await putKeyCommand(ctx, flags);
      }),
    );

  usesGlobals(cli.command("demo", "Build a sample applet, install it on an in-process simulated card and list the card (no reader needed)"), "trace")
    .action((flags: GlobalFlags) =>
      run(flags, async (ctx) => {
        const { demoCommand } = await import("../commands/demo.ts");
        await demoCommand(ctx);
      }),
    );
}
