/**
 * Read an executable's header to confirm it is built for the platform its
 * name says: ELF e_machine, Mach-O cputype, PE machine. A cross build that
 * picked up the wrong runtime fails here instead of on a user's machine.
 */
import type { Target } from "./targets.ts";

/** ELF e_machine (System V ABI), Mach-O CPU_TYPE_* (mach/machine.h), PE IMAGE_FILE_MACHINE_*. */
const MACHINE = {
  elf: { x64: 0x3e, arm64: 0xb7 },
  macho: { x64: 0x01000007, arm64: 0x0100000c },
  pe: { x64: 0x8664, arm64: 0xaa64 },
} as const;

/** What a binary header says, e.g. "ELF x64", "Mach-O arm64", "PE x64". */
export function describeFormat(head: Uint8Array): string {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const archOf = (table: Record<string, number>, value: number) =>
    Object.entries(table).find(([, v]) => v === value)?.[0] ?? `machine 0x${value.toString(16)}`;
  if (head.length >= 20 && view.getUint32(0) === 0x7f454c46) {
    return `ELF ${archOf(MACHINE.elf, view.getUint16(18, true))}`;
  }
  if (head.length >= 8 && view.getUint32(0, true) === 0xfeedfacf) {
    return `Mach-O ${archOf(MACHINE.macho, view.getUint32(4, true))}`;
  }
  if (head.length >= 64 && head[0] === 0x4d && head[1] === 0x5a) {
    const pe = view.getUint32(0x3c, true);
    if (pe + 6 <= head.length && view.getUint32(pe) === 0x50450000) {
      return `PE ${archOf(MACHINE.pe, view.getUint16(pe + 4, true))}`;
    }
  }
  return "unknown";
}

/** The format a target's executable must have. */
export function expectedFormat(target: Target): string {
  const kind = target.os === "linux" ? "ELF" : target.os === "darwin" ? "Mach-O" : "PE";
  return `${kind} ${target.arch}`;
}

/** Read the first 4 KB of a file and describe its format. */
export async function formatOf(path: string): Promise<string> {
  const head = new Uint8Array(await Bun.file(path).slice(0, 4096).arrayBuffer());
  return describeFormat(head);
}
