/**
 * The Header component (JCVM 2.2.2 §6.3, JCVM 3.1 §6.4). It keeps a u2 size
 * in both formats of CAP 2.3.
 *
 * header_component_compact:
 *   u1 tag (1) | u2 size | u4 magic DECAFFED | u1 minor | u1 major | u1 flags |
 *   package_info { u1 minor | u1 major | u1 AID_length | AID } |
 *   package_name_info { u1 name_length | name }      (CAP 2.2 and later)
 * header_component_extended (flags has ACC_EXTENDED, CAP 2.3):
 *   u1 tag | u2 size | u4 magic | u1 minor | u1 major | u1 flags |
 *   u1 CAP_minor_version | u1 CAP_major_version | u1 CAP_AID_length | CAP_AID |
 *   u1 package_count (> 0) | package_info packages[package_count] |
 *   package_name_info package_names[package_count]
 */
import { FormatError } from "../errors.ts";
import { toHex } from "../bytes.ts";
import { ByteReader } from "./byte-reader.ts";
import { CAP_MAGIC, HEADER_FLAG, SUPPORTED_CAP_VERSIONS } from "./components.ts";
import { AID_LENGTH, isAidLength } from "../aid.ts";

export interface Version {
  major: number;
  minor: number;
}

/** One Java package of a CAP file (the Header's package_info and package_name_info). */
export interface PackageEntry {
  aid: Uint8Array;
  version: Version;
  /** Dotted name, when the converter wrote one (CAP 2.2+; may be empty, JCVM 3.1 §6.4). */
  name: string | undefined;
}

export interface Header {
  capVersion: Version;
  flags: number;
  /** ACC_EXTENDED: the extended format (JCVM 3.1 §6.4). */
  extended: boolean;
  /**
   * The load file's AID and version: the package's in a compact file, the
   * CAP file's own (CAP_AID, CAP_major/minor_version) in an extended one.
   */
  packageVersion: Version;
  packageAid: Uint8Array;
  /** Dotted package name (CAP 2.2+) of a compact file, when the converter wrote one; undefined for an extended file. */
  packageName: string | undefined;
  /** The public packages the file defines: one in a compact file, package_count in an extended one. */
  packages: PackageEntry[];
}

/** "major.minor" of a version. */
export function versionText(v: Version): string {
  return `${v.major}.${v.minor}`;
}

/**
 * Check the magic, format version and flags from the first bytes of a Header
 * component; done before walking the other components, because the extended
 * format (CAP 2.3, ACC_EXTENDED) lays them out differently.
 */
export function checkHeaderStart(component: Uint8Array): { capVersion: Version; flags: number; extended: boolean } {
  const r = new ByteReader(component, "the Header component");
  r.need(10);
  const magic = (component[3]! << 24) | (component[4]! << 16) | (component[5]! << 8) | component[6]!;
  if (magic >>> 0 !== CAP_MAGIC) {
    throw new FormatError(
      `bad magic in the Header component: found ${toHex(component.subarray(3, 7))}, expected DECAFFED`,
      component,
    );
  }
  const capVersion = { minor: component[7]!, major: component[8]! };
  const flags = component[9]!;
  const text = versionText(capVersion);
  if (!(SUPPORTED_CAP_VERSIONS as readonly string[]).includes(text)) {
    throw new FormatError(
      `unsupported CAP format ${text}: webcard reads CAP formats ${SUPPORTED_CAP_VERSIONS.join(", ")}`,
      component,
    );
  }
  const extended = (flags & HEADER_FLAG.ACC_EXTENDED) !== 0;
  // The extended format came with CAP 2.3 (JCVM 3.1 §6.4): an older file with the flag is corrupt.
  if (extended && text !== "2.3") {
    throw new FormatError(`the Header sets ACC_EXTENDED in a CAP ${text} file: the extended format exists from CAP 2.3`, component);
  }
  return { capVersion, flags, extended };
}

/** Parse a whole Header component (tag and size included). */
export function parseHeader(component: Uint8Array): Header {
  const { capVersion, flags, extended } = checkHeaderStart(component);
  const r = new ByteReader(component, "the Header component", 10);
  if (extended) return extendedHeader(r, capVersion, flags);
  const packageVersion = { minor: r.u1(), major: r.u1() };
  const packageAid = r.take(checkAidLength(r.u1(), "package", component)).slice();
  let packageName: string | undefined;
  // The package_name_info item exists from CAP 2.2 on (JCVM 2.2 §6.3); its length may be 0.
  if ((capVersion.major > 2 || capVersion.minor >= 2) && r.remaining > 0) packageName = nameOf(r.take(r.u1()));
  const packages = [{ aid: packageAid, version: packageVersion, name: packageName }];
  return { capVersion, flags, extended, packageVersion, packageAid, packageName, packages };
}

/** header_component_extended after the flags (JCVM 3.1 §6.4): the CAP file's version and AID, then every public package. */
function extendedHeader(r: ByteReader, capVersion: Version, flags: number): Header {
  const version = { minor: r.u1(), major: r.u1() };
  const capAid = r.take(checkAidLength(r.u1(), "CAP", r.bytes)).slice();
  const count = r.u1();
  if (count === 0) throw new FormatError("the extended Header lists no package: package_count must be above 0", r.bytes);
  const infos = Array.from({ length: count }, (_, i) => {
    const v = { minor: r.u1(), major: r.u1() };
    return { aid: r.take(checkAidLength(r.u1(), `package ${i + 1}`, r.bytes)).slice(), version: v };
  });
  const packages = infos.map((p) => ({ ...p, name: nameOf(r.take(r.u1())) }));
  if (r.remaining !== 0) throw new FormatError(`the extended Header has ${r.remaining} bytes after its last package name`, r.bytes);
  return { capVersion, flags, extended: true, packageVersion: version, packageAid: capAid, packageName: undefined, packages };
}

/** A package name in internal form (com/example/app) as a dotted name; empty is none. */
function nameOf(name: Uint8Array): string | undefined {
  return name.length > 0 ? new TextDecoder().decode(name).replaceAll("/", ".") : undefined;
}

/** Validate an AID length (5..16, ISO 7816-5) and return it. */
export function checkAidLength(length: number, what: string, bytes?: Uint8Array): number {
  if (!isAidLength(length)) {
    throw new FormatError(
      `${what} AID is ${length} bytes long: an AID has ${AID_LENGTH.MIN} to ${AID_LENGTH.MAX} bytes`,
      bytes,
    );
  }
  return length;
}
