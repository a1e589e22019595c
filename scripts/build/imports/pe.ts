/**
 * The import tables of a PE32+ executable (Microsoft PE/COFF specification,
 * "The .idata Section" and "Delay-Load Import Tables"): the DLLs the Windows
 * loader opens and the functions it binds, by name or ordinal.
 *
 * Layout: e_lfanew at 0x3C points to "PE\0\0"; the COFF header (20 bytes)
 * gives the section count and the optional header's size; the PE32+
 * optional header (magic 0x20B) holds NumberOfRvaAndSizes at 108 and the
 * data directories from 112 (1 = import table, 13 = delay-load imports);
 * RVAs become file offsets through the section table (40 bytes a section).
 */
import { Bytes, BinaryFormatError, LIMITS, bounded, type Import, type ImportTable } from "./reader.ts";

const PE32_PLUS = 0x20b;
const DIR_IMPORT = 1;
const DIR_DELAY_IMPORT = 13;
const ORDINAL_FLAG = 1n << 63n;

interface Section {
  name: string;
  va: number;
  vsize: number;
  raw: number;
  rawSize: number;
}

export function parsePe(bytes: Uint8Array, file = "PE file"): ImportTable {
  const b = new Bytes(bytes, file);
  if (b.u16(0, "MZ signature") !== 0x5a4d) throw new BinaryFormatError(`${file}: no MZ signature`);
  const pe = b.u32(0x3c, "e_lfanew");
  if (b.u32(pe, "PE signature") !== 0x00004550) throw new BinaryFormatError(`${file}: no PE signature at ${pe}`);
  const coff = pe + 4;
  const sectionCount = bounded(b.u16(coff + 2, "NumberOfSections"), LIMITS.sections, "sections", file);
  const optionalSize = b.u16(coff + 16, "SizeOfOptionalHeader");
  const opt = coff + 20;
  const magic = b.u16(opt, "optional header magic");
  if (magic !== PE32_PLUS) throw new BinaryFormatError(`${file}: optional header magic 0x${magic.toString(16)}, expected PE32+ (0x20b)`);
  const dirCount = b.u32(opt + 108, "NumberOfRvaAndSizes");
  const directory = (index: number) =>
    index < dirCount && 112 + 8 * index + 8 <= optionalSize
      ? { rva: b.u32(opt + 112 + 8 * index, "data directory RVA"), size: b.u32(opt + 116 + 8 * index, "data directory size") }
      : { rva: 0, size: 0 };

  const sections: Section[] = [];
  const table = opt + optionalSize;
  for (let i = 0; i < sectionCount; i++) {
    const s = table + 40 * i;
    sections.push({
      name: b.fixedName(s, 8, "section name"),
      vsize: b.u32(s + 8, "VirtualSize"),
      va: b.u32(s + 12, "VirtualAddress"),
      rawSize: b.u32(s + 16, "SizeOfRawData"),
      raw: b.u32(s + 20, "PointerToRawData"),
    });
  }
  /** The file offset of an RVA, which must lie in a section's data on disk. */
  const offsetOf = (rva: number, field: string): number => {
    const s = sections.find((x) => rva >= x.va && rva < x.va + Math.max(x.vsize, x.rawSize));
    if (!s || rva - s.va >= s.rawSize) throw new BinaryFormatError(`${file}: ${field} RVA 0x${rva.toString(16)} is in no section's file data`);
    return s.raw + (rva - s.va);
  };

  /** The functions one import name table lists (PE32+: 8-byte entries, ended by 0). */
  const names = (tableRva: number, library: string): Import[] => {
    const out: Import[] = [];
    const at = offsetOf(tableRva, `${library} import name table`);
    for (let i = 0; ; i++) {
      bounded(i, LIMITS.importsPerLibrary, `imports from ${library}`, file);
      const entry = b.big64(at + 8 * i, "import lookup entry");
      if (entry === 0n) return out;
      if (entry & ORDINAL_FLAG) out.push({ library, name: `#${Number(entry & 0xffffn)}` });
      // IMAGE_IMPORT_BY_NAME: a 2-byte hint, then the name.
      else out.push({ library, name: b.cstring(offsetOf(Number(entry & 0x7fffffffn), "hint/name") + 2, "import name", 512) });
    }
  };

  const libraries: string[] = [];
  const imports: Import[] = [];
  const imp = directory(DIR_IMPORT);
  if (imp.rva !== 0) {
    const at = offsetOf(imp.rva, "import directory");
    // IMAGE_IMPORT_DESCRIPTOR, 20 bytes: OriginalFirstThunk, TimeDateStamp, ForwarderChain, Name, FirstThunk; all zero ends.
    for (let i = 0; ; i++) {
      bounded(i, LIMITS.libraries, "import descriptors", file);
      const d = at + 20 * i;
      const lookup = b.u32(d, "OriginalFirstThunk");
      const nameRva = b.u32(d + 12, "Name");
      const thunk = b.u32(d + 16, "FirstThunk");
      if (lookup === 0 && nameRva === 0 && thunk === 0) break;
      const library = b.cstring(offsetOf(nameRva, "DLL name"), "DLL name", 256);
      libraries.push(library);
      imports.push(...names(lookup || thunk, library));
    }
  }
  const delay = directory(DIR_DELAY_IMPORT);
  if (delay.rva !== 0) {
    const at = offsetOf(delay.rva, "delay-load directory");
    // ImgDelayDescr, 32 bytes: Attributes, DllNameRVA, ModuleHandleRVA, ImportAddressTableRVA, ImportNameTableRVA, ...
    for (let i = 0; ; i++) {
      bounded(i, LIMITS.libraries, "delay-load descriptors", file);
      const d = at + 32 * i;
      const nameRva = b.u32(d + 4, "DllNameRVA");
      const nameTable = b.u32(d + 16, "ImportNameTableRVA");
      if (nameRva === 0 && nameTable === 0) break;
      const library = b.cstring(offsetOf(nameRva, "delay-load DLL name"), "DLL name", 256);
      libraries.push(library);
      imports.push(...names(nameTable, library));
    }
  }
  return {
    libraries,
    imports,
    sections: new Map(sections.map((s) => [s.name, { offset: s.raw, size: Math.min(s.rawSize, s.vsize || s.rawSize) }])),
  };
}
