/**
 * The Header component (JCVM 2.2.2 §6.3, JCVM 3.1 §6.4):
 *
 *   u1 tag (1) | u2 size | u4 magic DECAFFED | u1 minor | u1 major | u1 flags |
 *   package_info { u1 minor | u1 major | u1 AID_length | AID } |
 *   package_name_info { u1 name_length | name }      (CAP 2.2 and later)
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

export interface Header {
  capVersion: Version;
  flags: number;
  packageVersion: Version;
  packageAid: Uint8Array;
  /** Dotted package name (CAP 2.2+), when the converter wrote one. */
  packageName: string | undefined;
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
export function checkHeaderStart(component: Uint8Array): { capVersion: Version; flags: number } {
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
  if (flags & HEADER_FLAG.ACC_EXTENDED) {
    throw new FormatError(
      `CAP format ${text} extended is not supported: convert the package to the compact format (one package, under 64 KB)`,
      component,
    );
  }
  return { capVersion, flags };
}

/** Parse a whole Header component (tag and size included). */
export function parseHeader(component: Uint8Array): Header {
  const { capVersion, flags } = checkHeaderStart(component);
  const r = new ByteReader(component, "the Header component", 10);
  const packageVersion = { minor: r.u1(), major: r.u1() };
  const packageAid = r.take(checkAidLength(r.u1(), "package", component));
  let packageName: string | undefined;
  // The package_name_info item exists from CAP 2.2 on (JCVM 2.2 §6.3); its length may be 0.
  if ((capVersion.major > 2 || capVersion.minor >= 2) && r.remaining > 0) {
    const name = r.take(r.u1());
    packageName = name.length > 0 ? new TextDecoder().decode(name).replaceAll("/", ".") : undefined;
  }
  return { capVersion, flags, packageVersion, packageAid: packageAid.slice(), packageName };
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
