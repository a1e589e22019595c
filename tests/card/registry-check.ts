/** What the tear and kill tests check: a package is on the card entirely or not at all. */
import { toHex } from "../../src/stack/bytes.ts";
import { parseRegistryEntries } from "../../src/stack/gp/registry.ts";
import type { CapFile } from "../../src/stack/cap/load-file.ts";
import type { VirtualCard } from "../../src/card/virtual-card.ts";
import { getStatusAll } from "./helpers.ts";

export type PackageState = "absent" | "loaded" | "installed" | "inconsistent";

/** The package's state from GET STATUS (load files with modules, applications), through `send`. */
export async function packageState(card: VirtualCard, cap: CapFile, send?: (c: Uint8Array) => Promise<Uint8Array>): Promise<{ state: PackageState; detail: string }> {
  const files = await getStatusAll(card, 0x10, send);
  const apps = await getStatusAll(card, 0x40, send);
  if (files.sws.at(-1) !== "9000" || !["9000", "6A88"].includes(apps.sws.at(-1)!)) {
    return { state: "inconsistent", detail: `GET STATUS answered ${files.sws.join(",")} / ${apps.sws.join(",")}` };
  }
  const pkg = toHex(cap.packageAid);
  const file = parseRegistryEntries(files.data, "load-files-and-modules").find((e) => toHex(e.aid) === pkg);
  const appletAids = cap.applets.map((a) => toHex(a.aid));
  const instances = parseRegistryEntries(apps.data, "apps").filter((e) => appletAids.includes(toHex(e.aid)));
  if (!file) {
    return instances.length === 0
      ? { state: "absent", detail: "" }
      : { state: "inconsistent", detail: `instances ${instances.map((i) => toHex(i.aid))} without their package` };
  }
  const modules = file.modules.map(toHex);
  if (modules.join() !== appletAids.join()) {
    return { state: "inconsistent", detail: `package ${pkg} lists modules ${modules} instead of ${appletAids}` };
  }
  const bad = instances.find((i) => toHex(i.loadFileAid ?? new Uint8Array(0)) !== pkg || i.lifecycle !== 0x07);
  if (bad) return { state: "inconsistent", detail: `instance ${toHex(bad.aid)} is in state ${bad.lifecycle}` };
  return { state: instances.length === appletAids.length ? "installed" : "loaded", detail: "" };
}
