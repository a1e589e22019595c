/**
 * Read a load file as a user hands it over: a CAP file (a JAR/ZIP with
 * `<package path>/javacard/<Component>.cap` entries, JCVM 2.2.2 §6.1) or a raw
 * IJC file (the components concatenated, as some converters emit).
 */
import { createHash } from "node:crypto";
import { concat, toHex } from "../bytes.ts";
import { FormatError } from "../errors.ts";
import { LOAD_ORDER } from "./components.ts";
import { checkLoadFile, interpret, type LoadFileInfo } from "./lfdb.ts";
import { parseHeader, versionText } from "./header.ts";
import { readCapZip, isZip } from "./cap-zip.ts";
import { sizeText, ZIP_LIMITS } from "./zip-reader.ts";
import type { AppletEntry } from "./applets-imports.ts";

export interface CapApplet extends AppletEntry {
  /** Class name from the converter's manifest, when present. */
  className: string | undefined;
}

export interface CapFile extends LoadFileInfo {
  /** "cap" for a ZIP, "ijc" for concatenated components. */
  container: "cap" | "ijc";
  /** CAP format "major.minor" ("2.1", "2.2", "2.3"). */
  formatVersion: string;
  /** Header flags (ACC_INT 01, ACC_EXPORT 02, ACC_APPLET 04, ACC_EXTENDED 08). */
  flags: number;
  /** Dotted package name of a compact file: the Header's (CAP 2.2+), else the ZIP path, else undefined; undefined for an extended file (see `packages`). */
  packageName: string | undefined;
  applets: CapApplet[];
  /**
   * The Load File Data Block: components in load order, no Descriptor or Debug, no C4 tag;
   * an extended file's the same way, its Method and RefLocation with their u4 sizes
   * (docs/cap-formats.md, "Load File Data Block").
   */
  lfdb: Uint8Array;
  /** Digest of the LFDB (the hash of INSTALL [for load] and DAP, GP Card Spec §C.2). */
  lfdbHash(alg: "sha1" | "sha256"): Uint8Array;
}

/** Parse a CAP (ZIP) or raw IJC load file; `name` only shapes error messages. */
export function parseLoadFile(bytes: Uint8Array, name?: string): CapFile {
  try {
    return parse(bytes);
  } catch (error) {
    if (error instanceof FormatError) {
      const where = name === undefined ? "" : ` ${name}`;
      throw new FormatError(`Cannot read CAP file${where}: ${error.message}`, undefined, { cause: error, hint: error.hint });
    }
    throw error;
  }
}

function parse(bytes: Uint8Array): CapFile {
  if (bytes.length > ZIP_LIMITS.archiveBytes) {
    throw new FormatError(`the file is ${sizeText(bytes.length)}, over the ${sizeText(ZIP_LIMITS.archiveBytes)} limit for a CAP file`);
  }
  if (isZip(bytes)) {
    const zip = readCapZip(bytes);
    const info = interpret(zip.components);
    const header = parseHeader(zip.components.get("Header")!);
    const name = header.extended ? undefined : header.packageName ?? zip.packagePath?.replaceAll("/", ".");
    return build(info, "cap", name, header.flags, zip.appletNames);
  }
  if (looksLikeIjc(bytes)) {
    const info = checkLoadFile(bytes, false);
    const header = parseHeader(info.components.get("Header")!);
    return build(info, "ijc", header.packageName, header.flags, new Map());
  }
  throw new FormatError("not a ZIP or IJC load file", bytes, {
    hint: "give the .cap file made by the Java Card converter",
  });
}

/** An IJC file starts with a Header component: tag 01, a size, then DECAFFED. */
function looksLikeIjc(bytes: Uint8Array): boolean {
  return bytes.length >= 7 && bytes[0] === 1 && toHex(bytes.subarray(3, 7)) === "DECAFFED";
}

function build(
  info: LoadFileInfo,
  container: CapFile["container"],
  packageName: string | undefined,
  flags: number,
  names: Map<string, string>,
): CapFile {
  const lfdb = concat(...LOAD_ORDER.flatMap((n) => info.components.get(n) ?? []));
  return {
    ...info,
    container,
    formatVersion: versionText(info.capVersion),
    flags,
    packageName,
    applets: info.applets.map((a) => ({ ...a, className: names.get(toHex(a.aid)) })),
    lfdb,
    lfdbHash: (alg) => new Uint8Array(createHash(alg).update(lfdb).digest()),
  };
}
