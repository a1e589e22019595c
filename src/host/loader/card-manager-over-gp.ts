/**
 * The card manager over GlobalPlatform, for the bridge (the seed's "IL" on
 * the terminal): the LoaderPort of the shared web server, executed as
 * GlobalPlatform APDUs through an authenticated session with a plain card.
 * Refusals carry the SW and, for a missing import, the same reason the
 * direct GlobalPlatform path gives (host/gp/explain.ts).
 */
import { toHex } from "../../stack/bytes.ts";
import { SwError, WebcardError } from "../../stack/errors.ts";
import { SUPPORTED_CAP_VERSIONS } from "../../stack/cap/components.ts";
import { deleteAid } from "../../stack/gp/commands.ts";
import { encodePrivileges } from "../../stack/gp/privileges.ts";
import { installForInstall, installForLoad } from "../../stack/gp/install.ts";
import { loadBlocks, loadFileBytes } from "../../stack/gp/load.ts";
import { dapBlocksFor } from "../../stack/gp/dap.ts";
import { check } from "../../stack/check.ts";
import { send } from "../../stack/transport/transport.ts";
import type { LoaderPort, RegistryView } from "../../stack/web/port.ts";
import { checkCardTakes, explainInstallForLoad, explainRefusal, type ImportRef } from "../gp/explain.ts";
import { Stop } from "../../stack/web/script/run.ts";
import { getStatusAll } from "../gp/registry.ts";
import type { GpSession } from "../gp/session.ts";
import type { Signing } from "../gp/install.ts";
import { withSignedInstallToken } from "../../stack/gp/token.ts";

/** A refusal from the real card: SW, operation, and a readable reason (what the script agent reports). */
class BridgeRefusal extends SwError {
  readonly reason: string;
  constructor(operation: string, sw: number, reason: string, cause: unknown) {
    super(operation, sw, { cause, detail: reason });
    this.reason = reason;
  }
}

async function refusal(error: unknown, explained: Promise<unknown> | unknown): Promise<never> {
  if (!(error instanceof SwError)) throw error;
  const e = await explained;
  let reason = "the card refused it";
  if (e instanceof WebcardError && e !== error) {
    const m = /refused with [0-9A-F]{4}: (.*)$/.exec(e.message);
    reason = m ? m[1]! : e.message;
  }
  throw new BridgeRefusal(error.operation, error.sw, reason, error);
}

/** Free memory the bridge claims: a plain card does not state it in a standard way, IL refuses with 6A84 instead. */
export const UNSTATED_FREE_MEMORY = 0x7fffffff;

/**
 * IL over `session` for the bridge's web server; `imports` name missing packages in refusals,
 * and with `formatVersion` decide, from what the card lists, whether to refuse before INSTALL [for load].
 * `signing` loads into another security domain, with the LFDB hash, DAP blocks and
 * delegated-management tokens (`install --domain --dap-key --dm-token-key`); `extended`
 * names an extended CAP file (JCVM 3.1 §6.4) in that refusal.
 */
export function gpLoaderPort(session: GpSession, imports: readonly ImportRef[] = [], formatVersion?: string, signing: Signing = {}, extended?: boolean): LoaderPort {
  const t = session.channel;
  const signed = (command: Parameters<typeof withSignedInstallToken>[0]) => (signing.tokenKey ? withSignedInstallToken(command, signing.tokenKey) : command);
  return {
    async facts() {
      // The formats the card takes are judged before INSTALL [for load] (checkCardTakes), not here: no extra round trip for 2.1/2.2 files.
      return { capVersions: SUPPORTED_CAP_VERSIONS, freeMemory: UNSTATED_FREE_MEMORY, blockSize: session.blockSize, where: "bridge", securityDomain: toHex(session.isd) };
    },
    async registry(): Promise<RegistryView> {
      const apps = await getStatusAll(t, "apps");
      const files = await getStatusAll(t, "load-files-and-modules").catch(() => getStatusAll(t, "load-files"));
      return {
        isd: toHex(session.isd),
        applications: apps.map((a) => ({
          aid: toHex(a.aid),
          lifecycle: a.lifecycle,
          privileges: toHex(encodePrivileges(a.privileges)),
          loadFile: a.loadFileAid ? toHex(a.loadFileAid) : undefined,
        })),
        loadFiles: files.map((f) => ({
          aid: toHex(f.aid),
          lifecycle: f.lifecycle,
          modules: f.modules.map(toHex),
          version: f.version ? [...f.version].join(".") : undefined,
        })),
      };
    },
    async installForLoad(packageAid) {
      try {
        await checkCardTakes(t, { packageAid, imports, formatVersion, extended });
      } catch (error) {
        // Nothing was sent to load: no status word, the script stops with the reason (422, as a card refusal).
        if (error instanceof WebcardError) throw new Stop(422, error.message);
        throw error;
      }
      try {
        const command = installForLoad({ packageAid, securityDomainAid: signing.into ?? session.isd, ...(signing.hash ? { hash: signing.hash } : {}) });
        check(await send(t, signed(command)), "INSTALL [for load]");
      } catch (error) {
        await refusal(error, explainInstallForLoad(error, packageAid));
      }
    },
    async load(lfdb, progress) {
      const file = loadFileBytes(lfdb, dapBlocksFor(signing.dap ?? [], signing.into ?? session.isd));
      const commands = loadBlocks(file, session.blockSize);
      // Progress counts LFDB bytes: the C4 header of the first block is not part of them (else two lines say "247/247").
      let sent = lfdb.length - file.length;
      for (const command of commands) {
        try {
          check(await send(t, command), "LOAD");
        } catch (error) {
          await refusal(error, explainRefusal(error, t, imports, formatVersion));
        }
        sent += command.data.length;
        await progress(Math.max(0, Math.min(sent, lfdb.length)), lfdb.length);
      }
    },
    async install(order) {
      const p = order.privileges;
      const bits = p.length === 3 ? (p[0]! << 16) | (p[1]! << 8) | p[2]! : (p[0] ?? 0) << 16;
      try {
        check(
          await send(t, signed(installForInstall({ packageAid: order.loadFile, moduleAid: order.module, instanceAid: order.instance, privileges: bits, ...(order.parameters?.length ? { params: order.parameters } : {}), selectable: order.selectable }))),
          "INSTALL [for install]",
        );
      } catch (error) {
        await refusal(error, error);
      }
    },
    async delete(aid) {
      check(await send(t, deleteAid(aid, true)), "DELETE");
    },
  };
}
