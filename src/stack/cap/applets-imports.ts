/**
 * The Applet and Import components, the two a loader needs beside the Header.
 *
 * Applet (JCVM 2.2.2 §6.5):  u1 tag 3 | u2 size | u1 count |
 *   { u1 AID_length | AID | u2 install_method_offset } * count
 *   extended (JCVM 3.1 §6.6): { u1 AID_length | AID | u1 install_method_component_block_index |
 *   u2 install_method_offset } * count, the offset inside that Method block
 * Import (JCVM 2.2.2 §6.6):  u1 tag 4 | u2 size | u1 count |
 *   package_info { u1 minor | u1 major | u1 AID_length | AID } * count
 */
import { FormatError } from "../errors.ts";
import { ByteReader } from "./byte-reader.ts";
import { checkAidLength } from "./header.ts";

export interface AppletEntry {
  aid: Uint8Array;
  installMethodOffset: number;
  /** The Method component block holding install (extended format); undefined in a compact file. */
  installMethodBlock?: number | undefined;
}

export interface ImportEntry {
  aid: Uint8Array;
  major: number;
  minor: number;
}

/** Parse an Applet component (tag and size included). */
export function parseAppletComponent(component: Uint8Array, extended = false): AppletEntry[] {
  const r = new ByteReader(component, "the Applet component", 3);
  const count = r.u1();
  const out: AppletEntry[] = [];
  for (let i = 0; i < count; i++) {
    const aid = r.take(checkAidLength(r.u1(), `applet ${i + 1}`, component)).slice();
    if (extended) {
      const installMethodBlock = r.u1();
      out.push({ aid, installMethodBlock, installMethodOffset: r.u2() });
    } else out.push({ aid, installMethodOffset: r.u2() });
  }
  trailing(r);
  return out;
}

/** Parse an Import component (tag and size included). */
export function parseImportComponent(component: Uint8Array): ImportEntry[] {
  const r = new ByteReader(component, "the Import component", 3);
  const count = r.u1();
  const out: ImportEntry[] = [];
  for (let i = 0; i < count; i++) {
    const minor = r.u1();
    const major = r.u1();
    const aid = r.take(checkAidLength(r.u1(), `imported package ${i + 1}`, component)).slice();
    out.push({ aid, major, minor });
  }
  trailing(r);
  return out;
}

function trailing(r: ByteReader): void {
  if (r.remaining !== 0) {
    throw new FormatError(`${r.what} has ${r.remaining} bytes after its last entry`, r.bytes);
  }
}
