/**
 * The imports of a 64-bit Mach-O executable (<mach-o/loader.h>,
 * <mach-o/nlist.h>, <mach-o/fixup-chains.h>): the dylibs dyld loads
 * (LC_LOAD_DYLIB and its weak, re-export, lazy and upward variants, in
 * order: their 1-based position is the library ordinal) and the undefined
 * external symbols bound to them, read from two places:
 * - the symbol table (LC_SYMTAB; LC_DYSYMTAB's undefined range when
 *   present): nlist_64 entries with N_EXT and type N_UNDF, the library
 *   ordinal in the high byte of n_desc (two-level namespace);
 * - LC_DYLD_CHAINED_FIXUPS: the imports table of dyld_chained_fixups_header
 *   (formats DYLD_CHAINED_IMPORT, _ADDEND and _ADDEND64).
 * Binaries that bind through LC_DYLD_INFO opcodes list the same symbols in
 * their symbol table, so the opcodes are not decoded here.
 */
import { Bytes, BinaryFormatError, LIMITS, bounded, type Import, type ImportTable } from "./reader.ts";

const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT_64 = 0x19;
const LC_SYMTAB = 0x2;
const LC_DYSYMTAB = 0xb;
const LC_DYLD_CHAINED_FIXUPS = 0x80000034;
/** LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB. */
const DYLIB_COMMANDS = new Set([0xc, 0x80000018, 0x8000001f, 0x20, 0x80000023]);
const N_STAB = 0xe0;
const N_TYPE = 0x0e;
const N_EXT = 0x01;
const N_UNDF = 0x0;

export function parseMachO(bytes: Uint8Array, file = "Mach-O file"): ImportTable {
  const b = new Bytes(bytes, file);
  const magic = b.u32(0, "magic");
  if (magic !== MH_MAGIC_64) throw new BinaryFormatError(`${file}: magic 0x${magic.toString(16)} is not a thin 64-bit Mach-O (0xfeedfacf)`);
  const ncmds = bounded(b.u32(16, "ncmds"), LIMITS.loadCommands, "load commands", file);
  const sizeofcmds = b.u32(20, "sizeofcmds");
  const end = 32 + sizeofcmds;
  b.check(32, sizeofcmds, "load commands");

  const libraries: string[] = [];
  const sections = new Map<string, { offset: number; size: number }>();
  let symtab: { symoff: number; nsyms: number; stroff: number; strsize: number } | undefined;
  let undefRange: { first: number; count: number } | undefined;
  let fixups: { offset: number; size: number } | undefined;

  for (let i = 0, at = 32; i < ncmds; i++) {
    const cmd = b.u32(at, "load command");
    const size = b.u32(at + 4, "cmdsize");
    if (size < 8 || at + size > end) throw new BinaryFormatError(`${file}: load command ${i} has size ${size} past the commands' end`);
    if (DYLIB_COMMANDS.has(cmd)) {
      libraries.push(b.cstring(at + b.u32(at + 8, "dylib name offset"), "dylib name", 1024, at + size));
    } else if (cmd === LC_SYMTAB) {
      symtab = { symoff: b.u32(at + 8), nsyms: b.u32(at + 12), stroff: b.u32(at + 16), strsize: b.u32(at + 20) };
    } else if (cmd === LC_DYSYMTAB) {
      undefRange = { first: b.u32(at + 24, "iundefsym"), count: b.u32(at + 28, "nundefsym") };
    } else if (cmd === LC_DYLD_CHAINED_FIXUPS) {
      fixups = { offset: b.u32(at + 8, "dataoff"), size: b.u32(at + 12, "datasize") };
    } else if (cmd === LC_SEGMENT_64) {
      const nsects = bounded(b.u32(at + 64, "nsects"), LIMITS.sections, "sections", file);
      for (let s = 0; s < nsects; s++) {
        const sect = at + 72 + 80 * s;
        if (sect + 80 > at + size) throw new BinaryFormatError(`${file}: section ${s} lies past its segment command`);
        const name = `${b.fixedName(sect + 16, 16, "segname")},${b.fixedName(sect, 16, "sectname")}`;
        sections.set(name, { offset: b.u32(sect + 48, "section offset"), size: b.u64(sect + 40, "section size") });
      }
    }
    at += size;
  }

  /** The library an ordinal names: 1-based into the load commands; 0, 0xfe, 0xff (and -1..-3) are special. */
  const libraryOf = (ordinal: number): string => {
    if (ordinal >= 1 && ordinal <= libraries.length) return libraries[ordinal - 1]!;
    if (ordinal === 0) return "(self)";
    if (ordinal === 0xfe || ordinal === -2) return "(flat lookup)";
    if (ordinal === 0xff || ordinal === -1) return "(main executable)";
    if (ordinal === -3) return "(weak lookup)";
    throw new BinaryFormatError(`${file}: library ordinal ${ordinal} names none of the ${libraries.length} dylibs`);
  };

  const seen = new Set<string>();
  const imports: Import[] = [];
  const add = (library: string, name: string) => {
    const key = `${library}\0${name}`;
    if (!seen.has(key)) {
      seen.add(key);
      imports.push({ library, name });
    }
  };

  if (symtab) {
    const nsyms = bounded(symtab.nsyms, LIMITS.symbols, "symbols", file);
    b.check(symtab.symoff, nsyms * 16, "symbol table");
    b.check(symtab.stroff, symtab.strsize, "string table");
    const first = undefRange ? undefRange.first : 0;
    const last = undefRange ? undefRange.first + undefRange.count : nsyms;
    if (last > nsyms) throw new BinaryFormatError(`${file}: undefined symbols ${first}..${last} run past the ${nsyms} symbols`);
    for (let i = first; i < last; i++) {
      const n = symtab.symoff + 16 * i;
      const type = b.u8(n + 4, "n_type");
      if (type & N_STAB || (type & N_TYPE) !== N_UNDF || !(type & N_EXT)) continue;
      const strx = b.u32(n, "n_strx");
      if (strx >= symtab.strsize) throw new BinaryFormatError(`${file}: symbol ${i} names string ${strx} past the string table`);
      const name = b.cstring(symtab.stroff + strx, "symbol name", 1024, symtab.stroff + symtab.strsize);
      add(libraryOf((b.u16(n + 6, "n_desc") >> 8) & 0xff), name);
    }
  }

  if (fixups) {
    b.check(fixups.offset, fixups.size, "chained fixups");
    const h = fixups.offset;
    const importsOffset = b.u32(h + 8, "imports_offset");
    const symbolsOffset = b.u32(h + 12, "symbols_offset");
    const count = bounded(b.u32(h + 16, "imports_count"), LIMITS.symbols, "chained imports", file);
    const format = b.u32(h + 20, "imports_format");
    if (b.u32(h + 24, "symbols_format") !== 0) throw new BinaryFormatError(`${file}: compressed chained-fixup symbol names are not supported`);
    const stride = format === 1 ? 4 : format === 2 ? 8 : format === 3 ? 16 : 0;
    if (stride === 0) throw new BinaryFormatError(`${file}: chained imports format ${format} is unknown`);
    const limit = h + fixups.size;
    for (let i = 0; i < count; i++) {
      const e = h + importsOffset + stride * i;
      if (e + stride > limit) throw new BinaryFormatError(`${file}: chained import ${i} runs past the fixups`);
      let ordinal: number;
      let nameOffset: number;
      if (format === 3) {
        ordinal = b.u16(e, "lib_ordinal");
        ordinal = ordinal >= 0xfff0 ? ordinal - 0x10000 : ordinal; // 16-bit signed specials
        nameOffset = b.u32(e + 4, "name_offset");
      } else {
        const v = b.u32(e, "chained import");
        const low = v & 0xff;
        ordinal = low >= 0xf0 ? low - 0x100 : low; // 8-bit signed specials
        nameOffset = v >>> 9;
      }
      add(libraryOf(ordinal), b.cstring(h + symbolsOffset + nameOffset, "chained import name", 1024, limit));
    }
  }
  return { libraries, imports, sections };
}
