/**
 * CAP component tags, file names and the order a loader sends them in.
 * JCVM 2.2.2 §6.1 Table 6-1 (tags 1-12); JCVM 3.1 §6.1 adds StaticResources (13).
 */

/** Component tags, JCVM 3.1 §6.1 Table 6-1. */
export const COMPONENT = {
  Header: 1,
  Directory: 2,
  Applet: 3,
  Import: 4,
  ConstantPool: 5,
  Class: 6,
  Method: 7,
  StaticField: 8,
  RefLocation: 9,
  Export: 10,
  Descriptor: 11,
  Debug: 12,
  StaticResources: 13,
} as const;

export type ComponentName = keyof typeof COMPONENT;

/** Component name of a tag, or undefined for an unknown tag. */
export function componentName(tag: number): ComponentName | undefined {
  for (const [name, t] of Object.entries(COMPONENT)) if (t === tag) return name as ComponentName;
  return undefined;
}

/**
 * The Load File Data Block order (JCVM 2.2.2 §6.2 "the installation order";
 * GP Card Spec §C.2 sends the same order without Descriptor and Debug).
 * JCVM 3.1 §6.2 places StaticResources after ReferenceLocation.
 */
export const LOAD_ORDER: readonly ComponentName[] = [
  "Header",
  "Directory",
  "Import",
  "Applet",
  "Class",
  "Method",
  "StaticField",
  "Export",
  "ConstantPool",
  "RefLocation",
  "StaticResources",
];

/** Components every package must carry in its load file (JCVM 2.2.2 §6.1; Descriptor is left out of the LFDB). */
export const REQUIRED: readonly ComponentName[] = [
  "Header",
  "Directory",
  "Import",
  "Class",
  "Method",
  "StaticField",
  "ConstantPool",
  "RefLocation",
];

/** Header magic, JCVM §6.4. */
export const CAP_MAGIC = 0xdecaffed;

/** Header flags, JCVM 3.1 §6.4 Table 6-3. */
export const HEADER_FLAG = { ACC_INT: 0x01, ACC_EXPORT: 0x02, ACC_APPLET: 0x04, ACC_EXTENDED: 0x08 } as const;

/**
 * Components whose size is a u4 in an extended CAP file (Header flag ACC_EXTENDED,
 * JCVM 3.1 §6.4 Table 6-3: Method, ReferenceLocation, Descriptor, Debug and custom
 * components "must be in the Extended Format"; the Directory lists their sizes as
 * u4, §6.5 component_size_info_extended). StaticResources is u4 in both formats.
 */
export const EXTENDED_SIZE: readonly ComponentName[] = ["Method", "RefLocation", "Descriptor", "Debug"];

/** CAP format versions this reader understands ("major.minor"). */
export const SUPPORTED_CAP_VERSIONS = ["2.1", "2.2", "2.3"] as const;

