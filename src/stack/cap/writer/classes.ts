/**
 * The Class and Export components of a built package (JCVM 3.0.5 §6.9,
 * §6.12): an optional Shareable interface first, then one class_info per
 * applet class.
 *
 *   interface_info: u1 (ACC_INTERFACE|ACC_SHAREABLE)<<4 | 1, class_ref javacard.framework.Shareable
 *   class_info: u1 flags<<4|interface_count | class_ref super (Applet) |
 *     u1 declared_instance_size | u1 first_reference_token | u1 reference_count |
 *     u1 public_method_table_base | u1 count | u1 package base | u1 count |
 *     u2 public_virtual_method_table[] | implemented_interface_info[]
 * An applet class overrides process (public virtual token 7); the class
 * implementing the interface also overrides getShareableInterfaceObject
 * (token 5; select, token 6, stays inherited: 0xFFFF) and adds the
 * interface's methods at tokens 8.., so its table starts at 5.
 */
import { concat, u16 } from "../../bytes.ts";
import { INTERFACE_INFO_SIZE, type NormalSpec } from "./spec.ts";

/** javacard.framework tokens (its export file; stable across minor versions). */
export const FRAMEWORK = { APPLET_CLASS: 3, APPLET_INIT: 0, REGISTER_BSB: 2, GET_SIO: 5, PROCESS: 7, SHAREABLE: 2 } as const;

const ACC_INTERFACE_SHAREABLE = 0xc;
const NO_METHOD = 0xffff;

/** Where the Class component puts each applet class, and the interface. */
export interface ClassPlan {
  /** Start of the info's entries (after the CAP 2.2 signature pool length). */
  base: number;
  interfaceOffset: number | undefined;
  classOffsets: number[];
  /** Size of the whole info. */
  size: number;
}

function publicTokens(spec: NormalSpec, i: number): number[] {
  const shared = i === 0 && spec.shareable ? spec.shareable.methods.length : 0;
  if (!spec.shareable || i !== 0) return [FRAMEWORK.PROCESS];
  return [FRAMEWORK.GET_SIO, 6, FRAMEWORK.PROCESS, ...Array.from({ length: shared }, (_, k) => FRAMEWORK.PROCESS + 1 + k)];
}

function classInfoSize(spec: NormalSpec, i: number): number {
  const tokens = publicTokens(spec, i);
  const is23 = spec.format === "2.3";
  const iface = i === 0 && spec.shareable ? 3 + spec.shareable.methods.length : 0;
  return 10 + 2 * tokens.length + iface + (is23 ? FRAMEWORK.PROCESS + 2 : 0);
}

export function planClasses(spec: NormalSpec): ClassPlan {
  const base = spec.format !== "2.1" ? 2 : 0;
  let at = base;
  const interfaceOffset = spec.shareable ? at : undefined;
  if (spec.shareable) at += INTERFACE_INFO_SIZE;
  const classOffsets = spec.applets.map((_, i) => {
    const offset = at;
    at += classInfoSize(spec, i);
    return offset;
  });
  return { base, interfaceOffset, classOffsets, size: at };
}

/** Method offsets of a class (in the Method component info). */
export interface ClassMethods {
  process: number;
  getSio?: number;
  shared?: number[];
}

export function classComponentInfo(spec: NormalSpec, plan: ClassPlan, methods: ClassMethods[]): Uint8Array {
  const fw = 0x80 | spec.frameworkToken;
  const { references, shorts } = spec.fields;
  const parts: Uint8Array[] = [];
  if (spec.format !== "2.1") parts.push(u16(0)); // signature_pool_length
  if (spec.shareable) parts.push(Uint8Array.of((ACC_INTERFACE_SHAREABLE << 4) | 1, fw, FRAMEWORK.SHAREABLE));
  spec.applets.forEach((_, i) => {
    const m = methods[i]!;
    const shares = i === 0 && spec.shareable !== undefined;
    const table = shares ? [m.getSio!, NO_METHOD, m.process, ...m.shared!] : [m.process];
    const base = shares ? FRAMEWORK.GET_SIO : FRAMEWORK.PROCESS;
    parts.push(
      concat(
        shares ? 1 : 0, // flags 0, interface_count
        fw, FRAMEWORK.APPLET_CLASS, // super_class_ref: external javacard.framework.Applet
        references + shorts, // declared_instance_size (cells)
        references > 0 ? 0 : 0xff, // first_reference_token
        references, // reference_count
        base, table.length,
        0, 0, // no package-visible virtual methods
        ...table.map(u16),
        ...(shares
          ? [u16(plan.interfaceOffset!), spec.shareable!.methods.length, Uint8Array.from(spec.shareable!.methods, (_, k) => FRAMEWORK.PROCESS + 1 + k)]
          : []),
        // CAP 2.3: the applet adds no public method and none moved: each token maps to itself, all inheritable by 2.2 code.
        ...(spec.format === "2.3" ? [Uint8Array.from({ length: FRAMEWORK.PROCESS + 1 }, (_, t) => t), FRAMEWORK.PROCESS + 1] : []),
      ),
    );
  });
  const info = concat(...parts);
  if (info.length !== plan.size) throw new RangeError(`Class component laid out as ${plan.size} bytes, written ${info.length}`);
  return info;
}

/** Export component info (§6.12): the Shareable interface as class token 0, no static members. */
export function exportInfo(plan: ClassPlan): Uint8Array | undefined {
  if (plan.interfaceOffset === undefined) return undefined;
  return concat(1, u16(plan.interfaceOffset), 0, 0);
}
