/**
 * Security domains, personalisation, DAP, keys and the card's life cycle:
 * declarations only; each implementation (commands/NAME.ts) is imported lazily.
 */
import type { CAC } from "cac";
import { run } from "../context.ts";
import { keyOptions, type GlobalFlags } from "../options.ts";
import type { DomainFlags } from "../commands/domain.ts";
import type { CardFlags } from "../commands/card.ts";
import type { StoreDataFlags } from "../commands/store-data.ts";
import type { DeleteKeyFlags } from "../commands/delete-key.ts";
import type { DapFlags } from "../commands/dap.ts";
import type { CreateFlags } from "../commands/create.ts";
import type { KeyFlags } from "../options.ts";

const TOKEN_KEY = "Card Issuer's token key (PEM private key): the command carries a delegated-management token (GP 9.4)";

export function register(cli: CAC): void {
  keyOptions(cli.command("domain <action> <aid>", "Create or delete a supplementary security domain: 'domain create AID', 'domain delete AID'"))
    .option("--privs <list>", "Privileges besides security-domain: delegated-management, authorized-management, dap-verification, mandated-dap, global-registry, ... or hex")
    .option("--params <hex>", "Install parameters for the security domain (wrapped in C9)")
    .option("--dm-token-key <file>", TOKEN_KEY)
    .example("webcard domain create A00000015153504101 --privs delegated-management,dap-verification")
    .action((action: string, aid: string, flags: DomainFlags) =>
      run(flags, async (ctx) => {
        const { domainCommand } = await import("../commands/domain.ts");
        await domainCommand(ctx, action, aid, flags);
      }),
    );

  keyOptions(cli.command("move <aid>", "Move an application, package or security domain to another security domain (INSTALL [for extradition])"))
    .option("--to <aid>", "The security domain to move it to")
    .option("--dm-token-key <file>", TOKEN_KEY)
    .example("webcard move D0D1D2D3D4D50101 --to A000000151000000")
    .action((aid: string, flags: DomainFlags) =>
      run(flags, async (ctx) => {
        const { moveCommand } = await import("../commands/domain.ts");
        await moveCommand(ctx, aid, flags);
      }),
    );

  keyOptions(cli.command("store-data <aid>", "Personalise an application (or, given the SD's own AID, the security domain) with STORE DATA"))
    .option("--data <hex>", "The data, hex")
    .option("--file <file>", "The data from a file (hex text or binary)")
    .option("--dgi", "The data is DGI-formatted (EMV CPS): one DGI per block where it fits")
    .option("--ber-tlv", "The data is BER-TLV")
    .option("--encrypted", "The data is encrypted by the application's own scheme (P1 b6)")
    .example("webcard store-data D0D1D2D3D4D50101 --sd A00000015153504101 --data 5F200401020304 --ber-tlv")
    .action((aid: string, flags: StoreDataFlags) =>
      run(flags, async (ctx) => {
        const { storeDataCommand } = await import("../commands/store-data.ts");
        await storeDataCommand(ctx, aid, flags);
      }),
    );

  keyOptions(cli.command("card <action>", "Card life cycle: lock, unlock, initialize, secure or terminate (SET STATUS); set-perso or set-pre-perso: the CPLC's (pre-)personalisation fields (STORE DATA 9F66/9F67)"))
    .option("--yes-i-understand-terminate", "Confirm 'card terminate': the card stops taking card management for good")
    .option("--data <hex>", "set-perso, set-pre-perso: 8 bytes, personalizer (2), date YDDD (2), equipment ID (4)")
    .option("--today", "set-perso, set-pre-perso: put today's date (UTC) in the date bytes")
    .example("webcard card lock")
    .example("webcard card set-perso --data 4750000012345678 --today")
    .action((action: string, flags: CardFlags) =>
      run(flags, async (ctx) => {
        const { cardCommand } = await import("../commands/card.ts");
        await cardCommand(ctx, action, flags);
      }),
    );

  keyOptions(cli.command("rename-isd <aid>", "Give the ISD a new AID (STORE DATA 4F, as GlobalPlatformPro's --rename-isd); its keys, data and content stay with it"))
    .example("webcard rename-isd A000000151000001")
    .action((aid: string, flags: KeyFlags) =>
      run(flags, async (ctx) => {
        const { renameIsdCommand } = await import("../commands/rename-isd.ts");
        await renameIsdCommand(ctx, aid, flags);
      }),
    );

  // The key version is an argument: --version is webcard's own (boolean) version flag, so
  // `delete-key --version 0x30` leaves 0x30 as the argument and means the same.
  keyOptions(cli.command("delete-key <version>", "Delete a key set (VERSION, an argument: 1-255 or 0x01-0xFF) or, with --id, one key of it, from the security domain"))
    .option("--id <n>", "Key identifier within the version")
    .example("webcard delete-key 0x30")
    .example("webcard delete-key 0x30 --id 2")
    .action((version: string, flags: DeleteKeyFlags) =>
      run(flags, async (ctx) => {
        const { deleteKeyCommand } = await import("../commands/delete-key.ts");
        await deleteKeyCommand(ctx, version, flags);
      }),
    );

  keyOptions(cli.command("create <instance>", "Create an instance of an applet whose package is already on the card"))
    .option("--package <aid>", "The loaded package")
    .option("--applet <aid>", "The applet (module) in it")
    .option("--privs <list>", "Privileges by name, comma-separated, or hex")
    .option("--params <hex>", "Install parameters: raw applet parameters (wrapped in C9) or a C9 field")
    .option("--default", "Make the instance the default selected application (card-reset privilege)")
    .option("--create-only", "INSTALL [for install] only: the instance stays INSTALLED, not selectable")
    .example("webcard create D0D1D2D3D4D50102 --package D0D1D2D3D4D501 --applet D0D1D2D3D4D50101")
    .action((instance: string, flags: CreateFlags) =>
      run(flags, async (ctx) => {
        const { createCommand } = await import("../commands/create.ts");
        await createCommand(ctx, instance, flags);
      }),
    );

  keyOptions(cli.command("uninstall <file>", "Delete a CAP file's package and its instances from the card"))
    .example("webcard uninstall applet.cap")
    .action((file: string, flags: KeyFlags) =>
      run(flags, async (ctx) => {
        const { uninstallCommand } = await import("../commands/create.ts");
        await uninstallCommand(ctx, file, flags);
      }),
    );

  cli
    .command("dap <action> <file>", "Sign ('dap sign') or check ('dap verify') a CAP's DAP signature offline")
    .option("--dap-key <file>", "PEM key: private to sign, public (or private) to verify; RSA 1024-3072 or EC P-256")
    .option("--dap-domain <aid>", "The security domain the DAP is for (default the ISD, A000000151000000)")
    .option("--hash <alg>", "Load file data block hash: sha256 (default) or sha1")
    .option("--signature <hex>", "The signature to verify")
    .example("webcard dap sign applet.cap --dap-key dap.pem --dap-domain A00000015153504101")
    .action((action: string, file: string, flags: DapFlags & GlobalFlags) =>
      run(flags, async (ctx) => {
        const { dapCommand } = await import("../commands/dap.ts");
        await dapCommand(ctx, action, file, flags);
      }),
    );
}
