/**
 * The ZIP side of a CAP file (JCVM 2.2.2 §6.1): components at
 * `<package path>/javacard/<Name>.cap` (`.capx` for the components with a u4 size: StaticResources in CAP 2.3,
 * and Method, RefLocation, Descriptor, Debug in an extended file, JCVM 3.1 §6.1), plus whatever else the converter put
 * there (META-INF/MANIFEST.MF, APPLET-INF, .exp, .class files), which we ignore.
 */
import { FormatError } from "../errors.ts";
import { COMPONENT, type ComponentName } from "./components.ts";
import { checkHeaderStart } from "./header.ts";
import { appletNames, parseManifest } from "./manifest.ts";
import { readSize, sizeWidth } from "./walk.ts";
import { readZipEntries, type ZipLimits } from "./zip-reader.ts";

export interface CapZip {
  /** Components by name, each with its tag and size bytes. */
  components: Map<string, Uint8Array>;
  /** "com/example/app", or undefined when the components sit at the ZIP's root. */
  packagePath: string | undefined;
  /** Applet class names by AID hex, from the manifest. */
  appletNames: Map<string, string>;
}

const ENTRY = /^(?:(.*)\/)?javacard\/([A-Za-z]+)\.capx?$/;
const MANIFEST = "META-INF/MANIFEST.MF";

/** True for a ZIP local file header (PK 03 04) or an empty archive (PK 05 06). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * Unzip and pick the package's components; checks tags and declared sizes.
 * Only the components and the manifest are inflated, within `limits`
 * (zip-reader.ts): class files, export files and anything else are skipped.
 */
export function readCapZip(bytes: Uint8Array, limits?: ZipLimits): CapZip {
  const entries = readZipEntries(bytes, (path) => path === MANIFEST || componentAt(path) !== undefined, limits);
  const byPackage = new Map<string, Map<ComponentName, Uint8Array>>();
  for (const [path, data] of entries) {
    const at = componentAt(path);
    if (!at) continue;
    if (!byPackage.has(at.pkg)) byPackage.set(at.pkg, new Map());
    byPackage.get(at.pkg)!.set(at.name, data);
  }
  if (byPackage.size > 1) {
    const paths = [...byPackage.keys()].map((p) => p || "(root)").join(", ");
    throw new FormatError(`the ZIP holds ${byPackage.size} packages (${paths}): give a CAP file with one package`);
  }
  const [packagePath, found] = [...byPackage.entries()][0] ?? ["", new Map<ComponentName, Uint8Array>()];
  const header = found.get("Header");
  if (header === undefined) {
    throw new FormatError("no Header component (no <package>/javacard/Header.cap in the ZIP)", undefined, {
      hint: "give the .cap file made by the Java Card converter",
    });
  }
  const { extended } = checkHeaderStart(checked("Header", header, false));
  const components = new Map<string, Uint8Array>();
  for (const [name, data] of found) components.set(name, checked(name, data, extended));
  const manifest = entries.get(MANIFEST);
  return {
    components,
    packagePath: packagePath || undefined,
    appletNames: manifest ? appletNames(parseManifest(new TextDecoder().decode(manifest))) : new Map(),
  };
}

/** The package path and component a ZIP path names; undefined for anything else, custom components (JCVM §6.1: tags 128-255) included. */
function componentAt(path: string): { pkg: string; name: ComponentName } | undefined {
  const m = ENTRY.exec(path);
  if (!m) return undefined;
  const name = (Object.keys(COMPONENT) as ComponentName[]).find((n) => n.toLowerCase() === m[2]!.toLowerCase());
  return name === undefined ? undefined : { pkg: m[1] ?? "", name };
}

/** A component file holds exactly one component: its own tag, its size (u2, or u4 as walk.ts says), that many bytes. */
function checked(name: ComponentName, data: Uint8Array, extended: boolean): Uint8Array {
  const width = sizeWidth(COMPONENT[name], extended);
  if (data.length < 1 + width) throw new FormatError(`the ${name} component is truncated: ${data.length} bytes`, data);
  if (data[0] !== COMPONENT[name]) {
    throw new FormatError(`the ${name} component file has tag ${data[0]}, expected ${COMPONENT[name]}`, data);
  }
  const size = readSize(data, 1, width);
  const body = data.length - 1 - width;
  if (size > body) {
    throw new FormatError(`the ${name} component declares ${size} bytes but only ${body} follow (the file is truncated)`, data);
  }
  if (size < body) {
    throw new FormatError(`the ${name} component has ${body - size} bytes after its declared size of ${size}`, data);
  }
  return data;
}
