/** What `writeCap` takes, checked and filled with defaults before any byte is laid out. */
import { fromHex } from "../../bytes.ts";
import type { AssembledHandler } from "./assembler.ts";
import { AID_LENGTH, isAidLength } from "../../aid.ts";

export interface CapSpec {
  packageAid: Uint8Array;
  /** Dotted Java package name ("com.example.hello"): the ZIP path, and the Header's name in CAP 2.2. */
  packageName: string;
  packageVersion?: { major: number; minor: number };
  /** Each applet becomes one class extending javacard.framework.Applet. */
  applets: { aid: Uint8Array; className: string }[];
  /** Imported packages in token order; must include javacard.framework. Default: framework 1.2, java.lang 1.0. */
  imports?: { aid: Uint8Array; major: number; minor: number }[];
  /** Extra bytes (a static byte array initializer, then a never-called method of `nop`s) for size tests. */
  padding?: number;
  /** CAP format: "2.1" (what converters emit for applets without remote interfaces), "2.2", or "2.3" compact (Java Card 3.1+). Default "2.1". */
  format?: "2.1" | "2.2" | "2.3";
  /**
   * The body of every applet's process(APDU) (default: return, so every
   * command gets 9000): bytecodes, with 2-byte constant pool indices as
   * Uint8Array parts. Constant pool entry 2 + 2 × (applet count) is
   * VirtualMethodref to the applet's own process (for recursion tests).
   */
  process?: ProcessBody;
  /**
   * Extra constant pool entries (4 bytes each: tag and info, JCVM §6.8), after
   * the builder's own and the process reference: entry k has index
   * 2 + 2 × (applet count) + (1 with a process body) + k. The Descriptor
   * gives them no type (FFFF): cards do not load it.
   */
  constants?: Uint8Array[];
  /** Bytes of zero-initialised primitive static fields, after the padding array reference (static image offsets 0.. without padding). */
  staticBytes?: number;
  /**
   * Instance fields of each applet class (JCVM §6.9 declared_instance_size):
   * `references` reference fields take tokens 0.., then `shorts` one-cell
   * primitive fields; `instanceFieldRef(token)` is the constant pool entry
   * naming one of class 0.
   */
  fields?: { references: number; shorts: number };
  /**
   * A Shareable interface (JCRE §6.2.4) the package exports as class token 0
   * of its Export component, with one method per entry (interface method
   * tokens 0..; each takes `nargs` - 1 shorts after `this` and returns a
   * short), implemented by the first applet class, whose
   * getShareableInterfaceObject returns the applet itself. CAP 2.1 and 2.2.
   */
  shareable?: { methods: SharedMethod[] };
}

export interface ProcessBody {
  maxStack: number;
  maxLocals: number;
  code: (number | Uint8Array)[];
  /** Exception handlers, offsets from the first bytecode (as `assembleMethod` gives them), inner ones first. */
  handlers?: AssembledHandler[];
}

/** A method of the exported Shareable interface, as the applet class implements it. */
export interface SharedMethod extends ProcessBody {
  /** Argument cells, `this` included. */
  nargs: number;
}

export interface NormalSpec extends Required<Omit<CapSpec, "imports" | "process" | "shareable">> {
  process: ProcessBody | undefined;
  shareable: { methods: SharedMethod[] } | undefined;
  imports: { aid: Uint8Array; major: number; minor: number }[];
  /** Import token of javacard.framework (the Applet superclass lives there). */
  frameworkToken: number;
}

const JAVACARD_FRAMEWORK = fromHex("A0000000620101");
const JAVA_LANG = fromHex("A0000000620001");

/** Check a spec and fill its defaults; a bad spec is a caller bug (RangeError). */
export function normalize(spec: CapSpec): NormalSpec {
  aid(spec.packageAid, "package");
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(spec.packageName)) {
    throw new RangeError(`Package name '${spec.packageName}' is not a dotted Java name`);
  }
  const packageVersion = spec.packageVersion ?? { major: 1, minor: 0 };
  byte(packageVersion.major, "package major version");
  byte(packageVersion.minor, "package minor version");
  if (spec.applets.length === 0 || spec.applets.length > 15) {
    throw new RangeError(`A built CAP holds 1 to 15 applets, not ${spec.applets.length}`);
  }
  for (const a of spec.applets) {
    aid(a.aid, "applet");
    if (!/^[A-Za-z_$][\w$]*$/.test(a.className)) throw new RangeError(`Class name '${a.className}' is not a Java identifier`);
  }
  const imports = spec.imports ?? [
    { aid: JAVACARD_FRAMEWORK, major: 1, minor: 2 },
    { aid: JAVA_LANG, major: 1, minor: 0 },
  ];
  imports.forEach((i) => aid(i.aid, "imported package"));
  const frameworkToken = imports.findIndex((i) => i.aid.length === 7 && i.aid.every((b, k) => b === JAVACARD_FRAMEWORK[k]));
  if (frameworkToken < 0) throw new RangeError("The imports must include javacard.framework (A0000000620101)");
  const padding = spec.padding ?? 0;
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`Padding must be a whole number of bytes, not ${padding}`);
  const fields = spec.fields ?? { references: 0, shorts: 0 };
  if (fields.references < 0 || fields.shorts < 0 || fields.references + fields.shorts > 255) throw new RangeError("An applet class has 0 to 255 instance field cells");
  if (spec.shareable && spec.format === "2.3") throw new RangeError("The builder writes a Shareable interface in CAP 2.1 and 2.2 only");
  for (const m of spec.shareable?.methods ?? []) if (m.nargs < 1 || m.nargs > 15) throw new RangeError(`A shared method takes 1 to 15 argument cells, not ${m.nargs}`);
  return {
    ...spec,
    packageVersion,
    imports,
    frameworkToken,
    padding,
    format: spec.format ?? "2.1",
    process: spec.process,
    constants: spec.constants ?? [],
    staticBytes: spec.staticBytes ?? 0,
    fields,
    shareable: spec.shareable,
  };
}

/**
 * The InstanceFieldref (tag 2, JCVM §6.8.2) of field `token` of the first
 * applet class, which sits at the start of the Class component's info
 * (after the interface in a package with `shareable`, after the CAP 2.2
 * signature pool length).
 */
export function instanceFieldRef(token: number, spec: Pick<CapSpec, "format" | "shareable"> = {}): Uint8Array {
  const classOffset = (spec.format === "2.2" || spec.format === "2.3" ? 2 : 0) + (spec.shareable ? INTERFACE_INFO_SIZE : 0);
  return Uint8Array.of(2, classOffset >> 8, classOffset & 0xff, token);
}

/** interface_info of the Shareable interface: flags|count, one superinterface class_ref (§6.9.1). */
export const INTERFACE_INFO_SIZE = 3;

function aid(bytes: Uint8Array, what: string): void {
  if (!isAidLength(bytes.length)) {
    throw new RangeError(`The ${what} AID has ${bytes.length} bytes: an AID has ${AID_LENGTH.MIN} to ${AID_LENGTH.MAX}`);
  }
}

function byte(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`The ${what} must be 0..255, not ${v}`);
}
