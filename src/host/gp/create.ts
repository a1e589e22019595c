/**
 * Work on a package already on the card, without loading it again:
 * INSTALL [for install and make selectable] of one module (GlobalPlatformPro's
 * `--create`), and `uninstall` of a CAP file's package with its instances.
 */
import { send } from "../../stack/transport/transport.ts";
import { getData } from "../../stack/gp/commands.ts";
import { installForInstall } from "../../stack/gp/install.ts";
import { check } from "../../stack/check.ts";
import type { Transport } from "../../stack/transport/transport.ts";
import type { GpSession } from "./session.ts";

export interface CreateOptions {
  packageAid: Uint8Array;
  moduleAid: Uint8Array;
  instanceAid: Uint8Array;
  privileges?: number;
  params?: Uint8Array;
  /** INSTALL [for install] only, not selectable yet (P1 04). */
  installOnly?: boolean;
}

/** INSTALL [for install (and make selectable)] from a load file already on the card. */
export async function createInstance(session: GpSession, o: CreateOptions): Promise<void> {
  const cmd = installForInstall({
    packageAid: o.packageAid,
    moduleAid: o.moduleAid,
    instanceAid: o.instanceAid,
    privileges: o.privileges ?? 0,
    ...(o.params ? { params: o.params } : {}),
    selectable: o.installOnly !== true,
  });
  check(await send(session.channel, cmd), "INSTALL [for install]");
}

/** GET DATA of one tag (GP 11.3), as the card answers it: the data (TLV) or the refusal's status word. */
export async function getDataTag(t: Transport, tag: number): Promise<{ sw: number; data: Uint8Array }> {
  const r = await send(t, getData(tag));
  return { sw: r.sw, data: r.data };
}
