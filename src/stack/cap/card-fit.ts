/**
 * Whether a card can take a CAP file, decided from what the card tells
 * before any LOAD: the load files its registry lists (GET STATUS, GP 2.3.1
 * section 11.4) with their versions (tag CE). Many cards list the Java Card
 * API packages; then javacard.framework's version names the Java Card
 * release (each release raised it: javacard-api.ts), hence the CAP formats
 * the card takes, and every import can be checked for binary compatibility
 * (JCVM 3.1 section 4.5.2: same major, minor at least the imported one).
 * A card that lists none of the file's imports says nothing: no claim.
 */
import { equal, toHex } from "../bytes.ts";
import { capFormatsOf, JAVA_CARD_VERSIONS, javaCardApi, packageNameOf } from "./javacard-api.ts";

/** A package the card lists: AID and, when it says, its version. */
export interface ListedPackage {
  aid: Uint8Array;
  version?: { major: number; minor: number } | undefined;
}

/** What of a CAP file decides whether a card takes it. */
export interface CapNeeds {
  /** CAP format "2.1", "2.2", "2.3". */
  formatVersion: string;
  /** The extended format (CAP 2.3 only; JCVM 3.1 §6.4), named in the reason. */
  extended?: boolean | undefined;
  imports: readonly { aid: Uint8Array; major: number; minor: number }[];
}

const FRAMEWORK_AID = "A0000000620101";

function describe(aid: Uint8Array, major: number, minor: number): string {
  const name = packageNameOf(toHex(aid));
  return `${toHex(aid)} ${major}.${minor}${name ? ` (${name})` : ""}`;
}

/**
 * The Java Card release a javacard.framework version belongs to: the last
 * release whose framework is not newer (a card may carry a minor the table
 * does not know; it is at least that release).
 */
export function javaCardOfFramework(major: number, minor: number): string | undefined {
  if (major !== 1) return undefined;
  let found: string | undefined;
  for (const release of JAVA_CARD_VERSIONS) {
    const fw = javaCardApi(release).find((p) => toHex(p.aid) === FRAMEWORK_AID)!;
    if (fw.minor <= minor) found = release;
  }
  return found;
}

/** The oldest Java Card release that takes a CAP format. */
function firstReleaseTaking(format: string): string | undefined {
  return JAVA_CARD_VERSIONS.find((r) => capFormatsOf(r).includes(format));
}

/** One line saying why the card cannot take the file, or undefined when the card's registry says nothing against it. */
export function whyCardCannotTake(cap: CapNeeds, listed: readonly ListedPackage[]): string | undefined {
  const fw = listed.find((p) => toHex(p.aid) === FRAMEWORK_AID)?.version;
  const release = fw ? javaCardOfFramework(fw.major, fw.minor) : undefined;
  if (release && !capFormatsOf(release).includes(cap.formatVersion)) {
    const need = firstReleaseTaking(cap.formatVersion);
    return (
      `the file is CAP format ${cap.formatVersion}${cap.extended ? " extended" : ""}${need ? `, which needs Java Card ${need} or later` : ""}; ` +
      `the card is Java Card ${release} (its javacard.framework is ${fw!.major}.${fw!.minor}) and takes CAP ${capFormatsOf(release).join(", ")}`
    );
  }
  const found = cap.imports.map((i) => ({ imp: i, have: listed.find((p) => equal(p.aid, i.aid)) }));
  // A card that lists none of the imports may hide its API packages: nothing is claimed.
  if (!found.some((f) => f.have)) return undefined;
  for (const { imp, have } of found) {
    if (!have) return `the card lacks imported package ${describe(imp.aid, imp.major, imp.minor)}`;
    const v = have.version;
    if (v && (v.major !== imp.major || v.minor < imp.minor)) {
      return `the card has imported package ${describe(imp.aid, imp.major, imp.minor)} only in version ${v.major}.${v.minor}${release ? ` (Java Card ${release})` : ""}`;
    }
  }
  return undefined;
}
