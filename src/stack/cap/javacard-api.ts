/**
 * The standard Java Card API packages: export AIDs and the package version
 * each Java Card platform release ships. A card accepts an import when it has
 * the AID with the same major version and a minor version at least the
 * imported one (JCVM 3.1 §4.5.2, binary compatibility).
 *
 * Facts from the public export files as listed by public tools (JCAlgTest's
 * package table, the capfile library's version guess, Oracle's API index).
 * For 3.1, the four core packages carry their 3.1 versions; the optional
 * packages keep their 3.0.5 versions (a lower bound: safe for a card that
 * compares minor >=).
 */
import { fromHex } from "../bytes.ts";

export const JAVA_CARD_VERSIONS = ["2.1.1", "2.2.1", "2.2.2", "3.0.1", "3.0.4", "3.0.5", "3.1"] as const;
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
    versions: { "2.1.1": "1.0", "2.2.1": "1.2", "2.2.2": "1.3", "3.0.1": "1.4", "3.0.4": "1.5", "3.0.5": "1.6", "3.1": "1.8" },
  },
  { aid: "A000000062010101", name: "javacard.framework.service", versions: from("2.2.1", "1.0") },
  {
    aid: "A0000000620102",
    name: "javacard.security",
    versions: { "2.1.1": "1.1", "2.2.1": "1.2", "2.2.2": "1.3", "3.0.1": "1.4", "3.0.4": "1.5", "3.0.5": "1.6", "3.1": "1.7" },
  },
  {
    aid: "A0000000620201",
    name: "javacardx.crypto",
    versions: { "2.1.1": "1.1", "2.2.1": "1.2", "2.2.2": "1.3", "3.0.1": "1.4", "3.0.4": "1.5", "3.0.5": "1.6", "3.1": "1.7" },
  },
  {
    aid: "A0000000620202",
    name: "javacardx.biometry",
    versions: { "2.2.2": "1.2", "3.0.1": "1.2", "3.0.4": "1.2", "3.0.5": "1.3", "3.1": "1.3" },
  },
  { aid: "A0000000620203", name: "javacardx.external", versions: from("2.2.2", "1.0") },
  { aid: "A0000000620204", name: "javacardx.biometry1toN", versions: from("3.0.5", "1.0") },
  { aid: "A0000000620205", name: "javacardx.security", versions: from("3.0.5", "1.0") },
  {
    aid: "A000000062020801",
    name: "javacardx.framework.util",
    versions: { "2.2.2": "1.0", "3.0.1": "1.0", "3.0.4": "1.0", "3.0.5": "1.1", "3.1": "1.1" },
  },
  { aid: "A00000006202080101", name: "javacardx.framework.util.intx", versions: from("2.2.2", "1.0") },
  { aid: "A000000062020802", name: "javacardx.framework.math", versions: from("2.2.2", "1.0") },
  { aid: "A000000062020803", name: "javacardx.framework.tlv", versions: from("2.2.2", "1.0") },
  { aid: "A000000062020804", name: "javacardx.framework.string", versions: from("3.0.4", "1.0") },
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

/** The dotted name of a well-known package AID (hex, any case), or undefined. */
export function packageNameOf(aidHex: string): string | undefined {
  const key = aidHex.toUpperCase();
  return API.find((p) => p.aid === key)?.name ?? OTHER_NAMES[key];
}
