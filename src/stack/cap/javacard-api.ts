/**
 * The standard Java Card API packages: export AIDs and the package version
 * each Java Card platform release ships. A card accepts an import when it has
 * the AID with the same major version and a minor version at least the
 * imported one (JCVM 3.1 §4.5.2, binary compatibility).
 *
 * Facts from the public export files of each SDK (the versions match the
 * project's token table, ../shared/javacard-api/tokens.json, read from the
 * 2.1.1 to 3.2.0 kits; 3.0.1 is taken as 3.0.3's, the kit the table has).
 * "3.1" is the 3.1.0 platform and "3.2" the 3.2.0 one.
 */
import { fromHex } from "../bytes.ts";

export const JAVA_CARD_VERSIONS = ["2.1.1", "2.2.1", "2.2.2", "3.0.1", "3.0.4", "3.0.5", "3.1", "3.2"] as const;
export type JavaCardVersion = (typeof JAVA_CARD_VERSIONS)[number];

type PerRelease = Partial<Record<JavaCardVersion, string>>;

/** Export AID (hex), package name, and "major.minor" per release (absent = not shipped). */
const API: readonly { aid: string; name: string; versions: PerRelease }[] = [
  { aid: "A0000000620001", name: "java.lang", versions: all("1.0") },
  { aid: "A0000000620002", name: "java.io", versions: from("2.2.1", "1.0") },
  { aid: "A0000000620003", name: "java.rmi", versions: from("2.2.1", "1.0") },
  {
    aid: "A0000000620101",
    name: "javacard.framework",
    versions: { "2.1.1": "1.0", "2.2.1": "1.2", "2.2.2": "1.3", "3.0.1": "1.4", "3.0.4": "1.5", "3.0.5": "1.6", "3.1": "1.8", "3.2": "1.9" },
  },
  { aid: "A000000062010101", name: "javacard.framework.service", versions: from("2.2.1", "1.0") },
  {
    aid: "A0000000620102",
    name: "javacard.security",
    versions: { "2.1.1": "1.1", "2.2.1": "1.2", "2.2.2": "1.3", "3.0.1": "1.4", "3.0.4": "1.5", "3.0.5": "1.6", "3.1": "1.7", "3.2": "1.8" },
  },
  {
    aid: "A0000000620201",
    name: "javacardx.crypto",
    versions: { "2.1.1": "1.1", "2.2.1": "1.2", "2.2.2": "1.3", "3.0.1": "1.4", "3.0.4": "1.5", "3.0.5": "1.6", "3.1": "1.7", "3.2": "1.8" },
  },
  {
    aid: "A0000000620202",
    name: "javacardx.biometry",
    versions: { "2.2.2": "1.2", "3.0.1": "1.2", "3.0.4": "1.2", "3.0.5": "1.3", "3.1": "1.3", "3.2": "1.4" },
  },
  { aid: "A0000000620203", name: "javacardx.external", versions: from("2.2.2", "1.0") },
  { aid: "A0000000620204", name: "javacardx.biometry1toN", versions: { "3.0.5": "1.0", "3.1": "1.0", "3.2": "1.1" } },
  { aid: "A0000000620205", name: "javacardx.security", versions: from("3.0.5", "1.0") },
  { aid: "A000000062020501", name: "javacardx.security.cert", versions: from("3.1", "1.0") },
  { aid: "A000000062020502", name: "javacardx.security.derivation", versions: { "3.1": "1.0", "3.2": "1.1" } },
  { aid: "A000000062020503", name: "javacardx.security.util", versions: from("3.1", "1.0") },
  {
    aid: "A000000062020801",
    name: "javacardx.framework.util",
    versions: { "2.2.2": "1.0", "3.0.1": "1.0", "3.0.4": "1.0", "3.0.5": "1.1", "3.1": "1.1", "3.2": "1.1" },
  },
  {
    aid: "A00000006202080101",
    name: "javacardx.framework.util.intx",
    versions: { "2.2.2": "1.0", "3.0.1": "1.0", "3.0.4": "1.0", "3.0.5": "1.0", "3.1": "1.1", "3.2": "1.1" },
  },
  { aid: "A000000062020802", name: "javacardx.framework.math", versions: from("2.2.2", "1.0") },
  { aid: "A000000062020803", name: "javacardx.framework.tlv", versions: from("2.2.2", "1.0") },
  { aid: "A000000062020804", name: "javacardx.framework.string", versions: from("3.0.4", "1.0") },
  { aid: "A000000062020805", name: "javacardx.framework.event", versions: from("3.1", "1.0") },
  { aid: "A000000062020806", name: "javacardx.framework.nio", versions: from("3.1", "1.0") },
  { aid: "A000000062020807", name: "javacardx.framework.time", versions: from("3.1", "1.0") },
  { aid: "A0000000620209", name: "javacardx.apdu", versions: from("2.2.2", "1.0") },
  { aid: "A000000062020901", name: "javacardx.apdu.util", versions: from("3.0.5", "1.0") },
];

/** Well-known packages outside the Java Card API, for names in listings only (GP, ETSI/3GPP toolkits). */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  A00000015100: "org.globalplatform",
  "A0000000090003FFFFFFFF8910710001": "sim.access",
  "A0000000090003FFFFFFFF8910710002": "sim.toolkit",
  "A0000000090005FFFFFFFF8911000000": "uicc.access",
  "A0000000090005FFFFFFFF8912000000": "uicc.toolkit",
  "A0000000090005FFFFFFFF8913000000": "uicc.system",
};

function all(version: string): PerRelease {
  return from(JAVA_CARD_VERSIONS[0], version);
}

function from(first: JavaCardVersion, version: string): PerRelease {
  const out: PerRelease = {};
  for (const v of JAVA_CARD_VERSIONS.slice(JAVA_CARD_VERSIONS.indexOf(first))) out[v] = version;
  return out;
}

export interface ApiPackage {
  aid: Uint8Array;
  name: string;
  major: number;
  minor: number;
}

/** The API packages (AID, name, version) a Java Card platform release ships. */
export function javaCardApi(version: string): ApiPackage[] {
  if (!(JAVA_CARD_VERSIONS as readonly string[]).includes(version)) {
    throw new RangeError(`Unknown Java Card version ${version}: use one of ${JAVA_CARD_VERSIONS.join(", ")}`);
  }
  const out: ApiPackage[] = [];
  for (const p of API) {
    const v = p.versions[version as JavaCardVersion];
    if (v === undefined) continue;
    const [major, minor] = v.split(".").map(Number) as [number, number];
    out.push({ aid: fromHex(p.aid), name: p.name, major, minor });
  }
  return out;
}

/**
 * The CAP file formats ("major.minor") a card of this Java Card release
 * takes: 2.1 from 2.1 (JCVM 2.1 section 6), 2.2 from 2.2 (JCVM 2.2 adds the
 * Debug component and remote types), 2.3 from 3.1 (JCVM 3.1 section 6.4: the
 * compact and extended formats). Later releases keep the earlier formats.
 */
export function capFormatsOf(version: string): string[] {
  const i = JAVA_CARD_VERSIONS.indexOf(version as JavaCardVersion);
  if (i < 0) throw new RangeError(`Unknown Java Card version ${version}: use one of ${JAVA_CARD_VERSIONS.join(", ")}`);
  const out = ["2.1"];
  if (i >= JAVA_CARD_VERSIONS.indexOf("2.2.1")) out.push("2.2");
  if (i >= JAVA_CARD_VERSIONS.indexOf("3.1")) out.push("2.3");
  return out;
}

/** The dotted name of a well-known package AID (hex, any case), or undefined. */
export function packageNameOf(aidHex: string): string | undefined {
  const key = aidHex.toUpperCase();
  return API.find((p) => p.aid === key)?.name ?? OTHER_NAMES[key];
}
