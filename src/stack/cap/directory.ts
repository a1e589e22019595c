/**
 * Where the Directory lists each component's size (component_sizes):
 *   CAP 2.1: u2 for tags 1-11 (JCVM 2.1 §6.4); CAP 2.2: u2 for tags 1-12 (JCVM 2.2 §6.4);
 *   CAP 2.3 compact: u2 for tags 1-12, then u4 StaticResources (JCVM 3.1 §6.5 component_size_info_compact);
 *   CAP 2.3 extended: as compact, but u4 for Method, ReferenceLocation, Descriptor and Debug
 *   (component_size_info_extended).
 * After the sizes: static_field_size_info (6 bytes), u1 import_count, u1 applet_count,
 * in an extended file u1 method_component_block_count, then u1 custom_count.
 */
import { COMPONENT, componentName, EXTENDED_SIZE } from "./components.ts";

export interface DirectoryField {
  tag: number;
  /** Offset in the Directory component (tag and size included). */
  at: number;
  width: 2 | 4;
}

/** The size fields of a Directory, in order, with where each sits. */
export function directoryLayout(cap: string, extended: boolean): { fields: DirectoryField[]; end: number } {
  const entries = cap === "2.1" ? 11 : 12;
  const tags = Array.from({ length: entries }, (_, i) => i + 1);
  if (cap === "2.3") tags.push(COMPONENT.StaticResources);
  const fields: DirectoryField[] = [];
  let at = 3;
  for (const tag of tags) {
    const width = tag === COMPONENT.StaticResources || (extended && EXTENDED_SIZE.includes(componentName(tag)!)) ? 4 : 2;
    fields.push({ tag, at, width });
    at += width;
  }
  return { fields, end: at };
}

/** Offset of method_component_block_count in an extended Directory (after the sizes, static_field_size_info and two counts). */
export function blockCountAt(cap: string): number {
  return directoryLayout(cap, true).end + 6 + 2;
}
