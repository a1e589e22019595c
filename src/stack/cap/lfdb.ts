/**
 * The Load File Data Block as a card receives it (GP Card Spec §C.2 / §11.6):
 * the components in load order, without the C4 tag. `parseLfdb` is what a
 * card checks before it accepts a load.
 */
import { FormatError } from "../errors.ts";
import { parseHeader, versionText, checkHeaderStart, type PackageEntry, type Version } from "./header.ts";
import { parseAppletComponent, parseImportComponent, type AppletEntry, type ImportEntry } from "./applets-imports.ts";
import { readSize, walkComponents } from "./walk.ts";
import { COMPONENT, componentName, HEADER_FLAG, LOAD_ORDER, REQUIRED } from "./components.ts";
import { blockCountAt, directoryLayout } from "./directory.ts";
import { parseMethodBlocks } from "./method-blocks.ts";
import { hexNumber } from "../bytes.ts";

export interface LoadFileInfo {
  /** The load file's AID: the package's (compact) or the CAP file's (extended, JCVM 3.1 §6.4 CAP_AID). */
  packageAid: Uint8Array;
  packageVersion: Version;
  capVersion: Version;
  /** The extended format (Header ACC_EXTENDED, JCVM 3.1 §6.4). */
  extended: boolean;
  /** Every public package of the file (one in a compact file), from the Header. */
  packages: PackageEntry[];
  /** Method component blocks (extended format), 1 in a compact file. */
  methodBlocks: number;
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
  const { extended } = checkHeaderStart(data.subarray(0, Math.min(data.length, 10)));
  const components = new Map<string, Uint8Array>();
  let last = -1;
  for (const c of walkComponents(data, extended)) {
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
  const { extended } = header;
  const appletComponent = components.get("Applet");
  const applets = appletComponent ? parseAppletComponent(appletComponent, extended) : [];
  if (Boolean(header.flags & HEADER_FLAG.ACC_APPLET) !== (appletComponent !== undefined)) {
    throw new FormatError(
      appletComponent ? "the Applet component is present but the Header's ACC_APPLET flag is clear" : "the Header announces applets but the Applet component is missing",
    );
  }
  const imports = parseImportComponent(components.get("Import")!);
  checkDirectory(components, versionText(header.capVersion), extended);
  const methodBlocks = extended ? checkBlocks(components, applets, versionText(header.capVersion)) : 1;
  return {
    packageAid: header.packageAid,
    packageVersion: header.packageVersion,
    capVersion: header.capVersion,
    extended,
    packages: header.packages,
    methodBlocks,
    applets,
    imports,
    components,
  };
}

/**
 * The Directory lists each component's size (directory.ts: u2 sizes, u4 for
 * StaticResources in CAP 2.3 and for Method, RefLocation, Descriptor, Debug
 * in an extended file). A mismatch means a corrupt file.
 */
function checkDirectory(components: Map<string, Uint8Array>, cap: string, extended: boolean): void {
  const dir = components.get("Directory")!;
  const { fields, end } = directoryLayout(cap, extended);
  if (dir.length < end) {
    throw new FormatError(`the Directory component is truncated: ${dir.length - 3} bytes for ${end - 3} bytes of component sizes`, dir);
  }
  for (const { tag, at, width } of fields) {
    const name = componentName(tag)!;
    const bytes = components.get(name);
    if (bytes === undefined) continue;
    const listed = readSize(dir, at, width);
    // A component's own size field is as wide as its Directory entry (both follow the format).
    const actual = bytes.length - 1 - width;
    if (listed !== actual) {
      throw new FormatError(`the Directory says the ${name} component has ${listed} bytes but it has ${actual}`, dir);
    }
  }
}

/**
 * An extended file's Method blocks (method-blocks.ts) must agree with the
 * Directory's method_component_block_count, and each applet's install method
 * must lie in one of them (JCVM 3.1 §6.6).
 */
function checkBlocks(components: Map<string, Uint8Array>, applets: AppletEntry[], cap: string): number {
  const blocks = parseMethodBlocks(components.get("Method")!);
  const dir = components.get("Directory")!;
  const at = blockCountAt(cap);
  if (dir.length <= at) throw new FormatError("the extended Directory is truncated before method_component_block_count", dir);
  if (dir[at] !== blocks.length) {
    throw new FormatError(`the Directory counts ${dir[at]} method blocks but the Method component has ${blocks.length}`, dir);
  }
  for (const a of applets) {
    const block = blocks[a.installMethodBlock ?? 0];
    if (block === undefined || a.installMethodOffset >= block.length) {
      throw new FormatError(`an applet's install method (block ${a.installMethodBlock}, offset ${a.installMethodOffset}) lies outside the Method component`);
    }
  }
  return blocks.length;
}
