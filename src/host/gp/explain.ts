/**
 * Readable reasons for a refused load or install. The card answers only a
 * status word; the terminal knows the CAP's imports and can read which
 * packages the card has, so it can say which import is missing.
 */
import { SwError, WebcardError } from "../../stack/errors.ts";
import { toHex, equal } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import type { RegistryEntry } from "../../stack/gp/registry.ts";
import type { Transport } from "../../stack/transport/transport.ts";
import { getStatusAll } from "./registry.ts";
import { whyCardCannotTake, type ListedPackage } from "../../stack/cap/card-fit.ts";

/** An imported package, as the CAP lists it. */
export interface ImportRef {
  aid: Uint8Array;
  major: number;
  minor: number;
}

/** Imports whose package is not among the card's load files. */
function missingImports(imports: readonly ImportRef[], loadFiles: readonly RegistryEntry[]): ImportRef[] {
  return imports.filter((i) => !loadFiles.some((f) => equal(f.aid, i.aid)));
}

function importText(i: ImportRef): string {
  return `${toHex(i.aid)} ${i.major}.${i.minor}`;
}

/** Statuses a card gives when it will not link a load file (GP 11.6.3, 11.5.3). */
const LINK_REFUSALS: readonly number[] = [SW.WRONG_DATA, SW.REFERENCED_DATA_NOT_FOUND, SW.CONDITIONS_NOT_SATISFIED];

/**
 * Turn a SwError from LOAD or INSTALL into one that says why, when the card
 * lacks an imported package. The card's registry is read to decide; if the
 * card lists none of the imports (some hide the API packages), nothing is
 * claimed about them. A CAP 2.3 file refused at LOAD by a card that said
 * nothing before is explained by its format (Java Card 3.1 and later only).
 */
export async function explainRefusal(
  error: unknown,
  transport: Transport,
  imports: readonly ImportRef[],
  formatVersion?: string,
): Promise<unknown> {
  if (!(error instanceof SwError) || !LINK_REFUSALS.includes(error.sw)) return error;
  const byFormat = () => explainByFormat(error, formatVersion);
  if (imports.length === 0) return byFormat();
  let loadFiles: RegistryEntry[];
  try {
    loadFiles = await getStatusAll(transport, "load-files");
  } catch {
    return byFormat();
  }
  const missing = missingImports(imports, loadFiles);
  if (missing.length === 0) {
    // Every import is listed: one may be too old for the file (binary compatibility, JCVM 3.1 section 4.5.2).
    const reason = whyCardCannotTake({ formatVersion: formatVersion ?? "2.1", imports }, listedOf(loadFiles));
    if (reason) return new WebcardError(`${error.operation} refused with ${error.swHex}: ${reason}`, { cause: error, hint: "this applet needs a card with newer packages" });
    return byFormat();
  }
  if (missing.length === imports.length) {
    // The card lists none of the imports: it may hide its API packages, so only say what is needed.
    return new WebcardError(`${error.operation} refused with ${error.swHex}: the card did not accept the package`, {
      cause: error,
      hint: `check that the card has every imported package: ${imports.map(importText).join(", ")}`,
    });
  }
  const names = missing.map(importText).join(", ");
  return new WebcardError(
    `${error.operation} refused with ${error.swHex}: the card lacks imported package${missing.length > 1 ? "s" : ""} ${names}`,
    { cause: error, hint: `this applet needs a card that has ${missing.length > 1 ? "those packages" : "that package"}` },
  );
}

/** A LOAD of a CAP 2.3 file refused without a reason: the format is the likely one (JCVM 3.1 section 6.4). */
function explainByFormat(error: SwError, formatVersion: string | undefined): unknown {
  if (formatVersion !== "2.3" || error.operation !== "LOAD") return error;
  return new WebcardError(
    `LOAD refused with ${error.swHex}: the card did not take this CAP format 2.3 file, which needs Java Card 3.1 or later (the card did not say its release)`,
    { cause: error, hint: "on an older card, load the package converted to CAP format 2.1 or 2.2 (the converter's target for that release)" },
  );
}

/** The card's load files as card-fit.ts reads them (version from tag CE, major.minor). */
function listedOf(loadFiles: readonly RegistryEntry[]): ListedPackage[] {
  return loadFiles.map((f) => ({ aid: f.aid, version: f.version && f.version.length >= 2 ? { major: f.version[0]!, minor: f.version[1]! } : undefined }));
}

/**
 * Before INSTALL [for load] of a CAP 2.3 file: one GET STATUS of the load
 * files, and one line when what the card lists says it cannot take the file
 * (its Java Card release by javacard.framework's version, an import missing
 * or too old; stack/cap/card-fit.ts). Files of format 2.1 and 2.2, which
 * every card since Java Card 2.2 takes, cost no extra round trip: a missing
 * or old import is named from the card's refusal (explainRefusal).
 * A card that refuses GET STATUS is not judged.
 */
export async function checkCardTakes(transport: Transport, file: { packageAid: Uint8Array; formatVersion?: string | undefined; extended?: boolean | undefined; imports?: readonly ImportRef[] | undefined }): Promise<void> {
  if (file.formatVersion !== "2.3") return;
  let loadFiles: RegistryEntry[];
  try {
    loadFiles = await getStatusAll(transport, "load-files");
  } catch (error) {
    if (error instanceof SwError) return;
    throw error;
  }
  const reason = whyCardCannotTake({ formatVersion: file.formatVersion, extended: file.extended, imports: file.imports ?? [] }, listedOf(loadFiles));
  if (reason) {
    throw new WebcardError(`${file.extended ? "CAP file" : "Package"} ${toHex(file.packageAid)} cannot be loaded on this card: ${reason}`, {
      hint: "nothing was sent to load it; use a card that has what the file needs, or a file built for this card",
    });
  }
}

/** A clearer error for the usual refusals of INSTALL [for load]; `level` is the session's security level. */
export function explainInstallForLoad(error: unknown, packageAid: Uint8Array, level?: string): unknown {
  if (!(error instanceof SwError)) return error;
  const pkg = toHex(packageAid);
  if (error.sw === SW.SECURITY_STATUS_NOT_SATISFIED && level === "clear") {
    // GP 2.3.1 10.2: a security domain may demand secure messaging for card content management.
    return new WebcardError(`INSTALL [for load] refused with ${error.swHex}: the card wants secure messaging for loading`, {
      cause: error,
      hint: "use --mode mac (or enc) instead of clear",
    });
  }
  if (error.sw === SW.CONDITIONS_NOT_SATISFIED || error.sw === 0x6a89) {
    return new WebcardError(`Package ${pkg} is already on the card (${error.swHex})`, {
      cause: error,
      hint: `delete it first: webcard delete ${pkg} --force`,
    });
  }
  if (error.sw === SW.NOT_ENOUGH_MEMORY) {
    return new WebcardError(`Not enough memory on the card for package ${pkg} (${error.swHex})`, { cause: error });
  }
  return error;
}
