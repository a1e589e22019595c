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
 * card lists none of the imports (some hide the API packages), nothing is claimed.
 */
export async function explainRefusal(
  error: unknown,
  transport: Transport,
  imports: readonly ImportRef[],
): Promise<unknown> {
  if (!(error instanceof SwError) || !LINK_REFUSALS.includes(error.sw) || imports.length === 0) return error;
  let loadFiles: RegistryEntry[];
  try {
    loadFiles = await getStatusAll(transport, "load-files");
  } catch {
    return error;
  }
  const missing = missingImports(imports, loadFiles);
  if (missing.length === 0) return error;
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
