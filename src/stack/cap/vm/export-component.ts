/**
 * The Export component (JCVM 3.0.5 §6.12): where the package's public
 * classes and their static members are, by token, for packages that import it.
 *
 *   u1 class_count | class_export_info { u2 class_offset | u1 static_field_count |
 *     u1 static_method_count | u2 static_field_offsets[] | u2 static_method_offsets[] }[]
 * Class token = index in this list; static field/method token = index in its list.
 */
import { ByteReader } from "../byte-reader.ts";
import type { MethodAt } from "./method-component.ts";

export interface ClassExport {
  readonly classOffset: number;
  readonly staticFields: readonly number[];
  readonly staticMethods: readonly number[];
}

/** Parse an Export component (tag and size included). */
export function parseExportComponent(component: Uint8Array): ClassExport[] {
  const r = new ByteReader(component, "the Export component", 3);
  const count = r.u1();
  return Array.from({ length: count }, () => {
    const classOffset = r.u2();
    const nf = r.u1();
    const nm = r.u1();
    return {
      classOffset,
      staticFields: Array.from({ length: nf }, () => r.u2()),
      staticMethods: Array.from({ length: nm }, () => r.u2()),
    };
  });
}

/**
 * Parse an extended Export component (JCVM 3.1 §6.13): u1 package_count, then
 * for each public package (in the Header's order) u1 class_count and its
 * class_export_info, whose static methods are u1 block index | u2 offset.
 */
export function parseExportComponentExtended(component: Uint8Array, methodAt: MethodAt): ClassExport[][] {
  const r = new ByteReader(component, "the Export component", 3);
  return Array.from({ length: r.u1() }, () =>
    Array.from({ length: r.u1() }, () => {
      const classOffset = r.u2();
      const nf = r.u1();
      const nm = r.u1();
      const staticFields = Array.from({ length: nf }, () => r.u2());
      const staticMethods = Array.from({ length: nm }, () => {
        const block = r.u1();
        return methodAt(block, r.u2());
      });
      return { classOffset, staticFields, staticMethods };
    }),
  );
}
