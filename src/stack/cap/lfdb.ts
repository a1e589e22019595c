/**
 * The Load File Data Block as a card receives it (GP Card Spec §C.2 / §11.6):
 * the components in load order, without the C4 tag. `parseLfdb` is what a
 * card checks before it accepts a load.
 */
import { FormatError } from "../errors.ts";
import { parseHeader, versionText, checkHeaderStart, type Version } from "./header.ts";
import { parseAppletComponent, parseImportComponent, type AppletEntry, type ImportEntry } from "./applets-imports.ts";
import { readSize, sizeWidth, walkComponents } from "./walk.ts";
import { COMPONENT, HEADER_FLAG, LOAD_ORDER, REQUIRED } from "./components.ts";
import { hexNumber } from "../bytes.ts";

export interface LoadFileInfo {
  packageAid: Uint8Array;
  packageVersion: Version;
  capVersion: Version;
  applets: AppletEntry[];
  imports: ImportEntry[];
  /** Components by name (Header, Method, ...), each with its tag and size bytes. */
  components: Map<string, Uint8Array>;
}

/** Descriptor and Debug may follow a load file (JCVM 2.2.2 §6.2); a GP loader leaves them out. */
const ORDER = [...LOAD_ORDER, "Descriptor", "Debug"] as const;

/** Walk and check the components of a received LFDB; throws FormatError with the reason. */
export function parseLfdb(lfdb: Uint8Array): LoadFileInfo {
  try {
    return checkLoadFile(lfdb, true);
  } catch (error) {
    if (error instanceof FormatError) {
      throw new FormatError(`Invalid load file: ${error.message}`, lfdb, { cause: error, hint: error.hint });
    }
    throw error;
  }
}

/**
 * Check concatenated components: Header first, known tags, sizes that fit,
 * no duplicates, the required components, sizes matching the Directory.
 * `strictOrder` demands the load order (a LFDB); raw IJC files are checked the same way.
 */
export function checkLoadFile(data: Uint8Array, strictOrder: boolean): LoadFileInfo {
  if (data.length === 0) throw new FormatError("it is empty");
  if (data[0] !== COMPONENT.Header) {
    throw new FormatError(`it does not start with a Header component (tag 01), found tag ${hexNumber(data[0]!)}`, data);
  }
  // Magic, version and extended flag first: an extended file is laid out differently.
  checkHeaderStart(data.subarray(0, Math.min(data.length, 10)));
  const components = new Map<string, Uint8Array>();
  let last = -1;
  for (const c of walkComponents(data)) {
    if (components.has(c.name)) throw new FormatError(`the ${c.name} component appears twice`, c.bytes);
    const rank = (ORDER as readonly string[]).indexOf(c.name);
    if (strictOrder && rank < last) {
      throw new FormatError(`the ${c.name} component is out of order: expected ${ORDER.join(", ")}`, c.bytes);
    }
    last = Math.max(last, rank);
    components.set(c.name, c.bytes);
  }
  return interpret(components);
}

/** Turn checked components into the facts a loader needs. */
export function interpret(components: Map<string, Uint8Array>): LoadFileInfo {
  const missing = REQUIRED.filter((name) => !components.has(name));
  if (missing.length > 0) throw new FormatError(`the ${missing.join(", ")} component${missing.length > 1 ? "s are" : " is"} missing`);
  const header = parseHeader(components.get("Header")!);
  const appletComponent = components.get("Applet");
  const applets = appletComponent ? parseAppletComponent(appletComponent) : [];
  if (Boolean(header.flags & HEADER_FLAG.ACC_APPLET) !== (appletComponent !== undefined)) {
    throw new FormatError(
      appletComponent ? "the Applet component is present but the Header's ACC_APPLET flag is clear" : "the Header announces applets but the Applet component is missing",
    );
  }
  const imports = parseImportComponent(components.get("Import")!);
  checkDirectory(components, versionText(header.capVersion));
  return {
    packageAid: header.packageAid,
    packageVersion: header.packageVersion,
    capVersion: header.capVersion,
    applets,
    imports,
    components,
  };
}

/**
 * The Directory lists each component's size (JCVM 2.1 §6.4: u2 sizes for
 * tags 1-11; JCVM 2.2 §6.4: 12 with Debug; JCVM 3.1 §6.5, CAP 2.3 compact:
 * then a u4 for StaticResources). A mismatch means a corrupt file.
 */
function checkDirectory(components: Map<string, Uint8Array>, cap: string): void {
  const entries = cap === "2.1" ? 11 : 12;
  const resources = cap === "2.3";
  const dir = components.get("Directory")!;
  const need = 2 * entries + (resources ? 4 : 0);
  if (dir.length < 3 + need) {
    throw new FormatError(`the Directory component is truncated: ${dir.length - 3} bytes for ${need} bytes of component sizes`, dir);
  }
  for (const [name, bytes] of components) {
    const tag = COMPONENT[name as keyof typeof COMPONENT];
    const width = sizeWidth(tag);
    let listed: number;
    if (tag <= entries) listed = readSize(dir, 3 + 2 * (tag - 1), 2);
    else if (tag === COMPONENT.StaticResources && resources) listed = readSize(dir, 3 + 2 * entries, 4);
    else continue;
    if (listed !== bytes.length - 1 - width) {
      throw new FormatError(
        `the Directory says the ${name} component has ${listed} bytes but it has ${bytes.length - 1 - width}`,
        dir,
      );
    }
  }
}
