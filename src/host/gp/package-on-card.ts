/**
 * What the card already holds of a package about to be installed: the load
 * file (same AID) and the planned instance AIDs. An install that was cut
 * between its last LOAD and its INSTALL leaves the package without instances;
 * installing again then resumes from the loaded package instead of failing.
 */
import { equal, toHex } from "../../stack/bytes.ts";
import { WebcardError } from "../../stack/errors.ts";
import type { RegistryEntry } from "../../stack/gp/registry.ts";
import type { GpSession } from "./session.ts";
import { getStatusAll } from "./registry.ts";
import type { LoadFile } from "./load.ts";
import { deleteAid } from "./manage.ts";

export interface Existing {
  /** The package's load file on the card, if any. */
  loadFile: RegistryEntry | undefined;
  /** Planned instance AIDs that already exist on the card. */
  instances: Uint8Array[];
}

/**
 * Look up the package and the planned instances in the card's registry: one
 * GET STATUS searching for each AID (GP 11.4.2.3), so a usual install adds two
 * round trips. The search matches AIDs that begin with the one given, so the
 * answers are compared exactly. One after the other: MACs chain, and 6310
 * pages belong to the last query.
 */
export async function findExisting(session: GpSession, file: LoadFile, instanceAids: readonly Uint8Array[]): Promise<Existing> {
  const loadFiles = await getStatusAll(session.channel, "load-files", file.packageAid);
  const instances: Uint8Array[] = [];
  for (const aid of instanceAids) {
    const apps = await getStatusAll(session.channel, "apps", aid);
    if (apps.some((a) => equal(a.aid, aid))) instances.push(aid);
  }
  return { loadFile: loadFiles.find((f) => equal(f.aid, file.packageAid)), instances };
}

/** "1.2" from a CE version field (major, minor). */
export function versionText(version: Uint8Array | undefined): string {
  return version && version.length >= 2 ? `${version[0]}.${version[1]}` : "unknown";
}

/** The advice of a refusal because the package is already on the card (the same on every path). */
export function replaceHint(packageAid: Uint8Array): string {
  const pkg = toHex(packageAid);
  return `use --force to replace it, or delete it first: webcard delete ${pkg} --force`;
}

/**
 * Whether installing can go on from the package already on the card: the same
 * version, and none of the planned instances there yet. Otherwise one clear
 * error saying that --force replaces what is there.
 */
export function checkReusable(existing: Existing, file: LoadFile): void {
  const pkg = toHex(file.packageAid);
  const hint = replaceHint(file.packageAid);
  const wanted = file.packageVersion ? `${file.packageVersion.major}.${file.packageVersion.minor}` : undefined;
  const onCard = versionText(existing.loadFile?.version);
  if (wanted !== undefined && onCard !== wanted) {
    throw new WebcardError(`Package ${pkg} version ${onCard} is already on the card; this file has version ${wanted}`, { hint });
  }
  if (existing.instances.length > 0) {
    const list = existing.instances.map(toHex).join(", ");
    throw new WebcardError(`Package ${pkg} and instance ${list} are already on the card`, { hint });
  }
}

/**
 * Make room for a fresh install: delete the package (with its instances) and
 * any planned instance AID still in the way. True when anything was deleted.
 */
export async function removeExisting(session: GpSession, file: LoadFile, instanceAids: readonly Uint8Array[], existing?: Existing): Promise<boolean> {
  const found = existing ?? (await findExisting(session, file, instanceAids));
  if (found.loadFile) await deleteAid(session, file.packageAid, { force: true });
  // Instances of the same AIDs from another package stand in the way too.
  const left = found.loadFile ? (await findExisting(session, file, found.instances)).instances : found.instances;
  for (const aid of left) await deleteAid(session, aid);
  return found.loadFile !== undefined || left.length > 0;
}
