/**
 * IL as the card's web server sees it: the card manager of the simulated
 * card behind the LoaderPort of src/stack/web. Orders run inside the APDU's
 * transaction, like the ISD's own commands.
 */
import { equal, toHex } from "../../stack/bytes.ts";
import { parseLfdb } from "../../stack/cap/lfdb.ts";
import { SW } from "../../stack/status-words.ts";
import type { LoaderPort, RegistryView } from "../../stack/web/port.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";

/** Most steps a LOAD is reported in: each costs one poll when the terminal shows progress. */
export const LOAD_STEPS = 16;

/** Bytes a step of the LOAD takes: whole blocks of the card's block size, at most LOAD_STEPS steps. */
export function loadStep(size: number, blockSize: number): number {
  const blocks = Math.ceil(size / blockSize);
  return Math.max(1, Math.ceil(blocks / LOAD_STEPS)) * blockSize;
}

/** A LoaderPort over `ctx.cardManager`. */
export function cardLoaderPort(ctx: AppContext): LoaderPort {
  const m = ctx.cardManager;
  let announced: Uint8Array | undefined;
  return {
    async facts() {
      return { capVersions: m.capVersions, javaCardVersion: m.javaCardVersion, freeMemory: m.freeMemory(), blockSize: m.blockSize, where: "card", securityDomain: toHex(m.registry().isd.aid) };
    },
    async registry(): Promise<RegistryView> {
      const r = m.registry();
      return {
        isd: toHex(r.isd.aid),
        applications: r.applications.map((a) => ({
          aid: toHex(a.aid),
          lifecycle: a.lifecycle,
          privileges: toHex(a.privileges),
          loadFile: a.loadFile ? toHex(a.loadFile) : undefined,
          module: a.module ? toHex(a.module) : undefined,
        })),
        loadFiles: r.loadFiles.map((f) => ({
          aid: toHex(f.aid),
          lifecycle: f.lifecycle,
          version: `${f.version.major}.${f.version.minor}`,
          modules: f.modules.map(toHex),
          builtin: f.builtin,
        })),
      };
    },
    async installForLoad(packageAid, loadSize) {
      // The same checks as the ISD's INSTALL [for load] (GP 2.3.1 section 11.5.2.3.1).
      if (m.registry().loadFiles.some((f) => equal(f.aid, packageAid))) {
        refuse("INSTALL [for load]", SW.CONDITIONS_NOT_SATISFIED, `package ${toHex(packageAid)} is already on the card`);
      }
      const free = m.freeMemory();
      if (loadSize > free) refuse("INSTALL [for load]", SW.NOT_ENOUGH_MEMORY, `the load needs ${loadSize} bytes, ${free} are free`);
      announced = packageAid;
    },
    async load(lfdb, progress) {
      if (!announced) refuse("LOAD", SW.CONDITIONS_NOT_SATISFIED, "LOAD without INSTALL [for load]");
      const pkg = parseLfdb(lfdb).packageAid;
      if (!equal(pkg, announced!)) refuse("LOAD", SW.WRONG_DATA, `the load file is package ${toHex(pkg)}, INSTALL [for load] named ${toHex(announced!)}`);
      // Like the ISD's LOAD (GP 2.3.1 section 11.6): the blocks are taken in
      // turn and the load file is committed with the last one. Each step is
      // reported; a response in steps pauses there until the terminal polls.
      const step = loadStep(lfdb.length, m.blockSize);
      for (let done = Math.min(step, lfdb.length); ; done = Math.min(done + step, lfdb.length)) {
        await progress(done, lfdb.length);
        if (done === lfdb.length) break;
      }
      m.load(lfdb);
    },
    async install(order) {
      m.install({
        loadFile: order.loadFile,
        module: order.module,
        instance: order.instance,
        privileges: order.privileges,
        ...(order.parameters?.length ? { parameters: order.parameters } : {}),
        selectable: order.selectable,
      });
    },
    async delete(aid) {
      m.delete(aid, { related: true });
    },
  };
}
