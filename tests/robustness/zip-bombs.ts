/**
 * ZIP bombs shaped like CAP files, for the robustness suites: one entry
 * that inflates to far more than it declares (deflate), a component that is
 * itself a ZIP of bombs (nested), one kernel of data shared by many
 * central-directory entries (overlapping, D. Fifield's non-recursive bomb),
 * and archives with more entries than any CAP. Built by hand (APPNOTE
 * 6.3.10) so the central directory can lie.
 */
import { Deflate, unzipSync, zipSync } from "fflate";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { crc32 } from "../../src/stack/cap/crc32.ts";

export const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const MiB = 1024 * 1024;

/** One entry as written: already compressed data, and what the headers claim. */
export interface RawEntry {
  name: string;
  data: Uint8Array;
  method: 0 | 8;
  size: number;
  crc: number;
  /** Point the central directory at another entry's local header (overlap). */
  sameDataAs?: number;
}

function le(n: number, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, i) => Math.floor(n / 2 ** (8 * i)) & 0xff);
}

/** A ZIP archive from raw entries; sizes and CRCs are written as given, true or not. */
export function rawZip(entries: readonly RawEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  const offsets: number[] = [];
  let at = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    if (e.sameDataAs !== undefined) {
      offsets.push(offsets[e.sameDataAs]!);
      continue;
    }
    offsets.push(at);
    const head = Uint8Array.from([...le(0x04034b50, 4), ...le(20, 2), 0, 0, ...le(e.method, 2), 0, 0, 0, 0, ...le(e.crc, 4), ...le(e.data.length, 4), ...le(e.size, 4), ...le(name.length, 2), 0, 0, ...name]);
    local.push(head, e.data);
    at += head.length + e.data.length;
  }
  entries.forEach((e, i) => {
    // An overlapping entry names its own file in the directory; the local header it points at is the kernel's.
    const name = enc.encode(e.name);
    const data = e.sameDataAs === undefined ? e.data : entries[e.sameDataAs]!.data;
    central.push(Uint8Array.from([...le(0x02014b50, 4), ...le(20, 2), ...le(20, 2), 0, 0, ...le(e.method, 2), 0, 0, 0, 0, ...le(e.crc, 4), ...le(data.length, 4), ...le(e.size, 4), ...le(name.length, 2), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...le(offsets[i]!, 4), ...name]));
  });
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const count = Math.min(entries.length, 0xfffe);
  const end = Uint8Array.from([...le(0x06054b50, 4), 0, 0, 0, 0, ...le(count, 2), ...le(count, 2), ...le(cdSize, 4), ...le(at, 4), 0, 0]);
  return join([...local, ...central, end]);
}

let kernel: { head: Uint8Array; body: Uint8Array } | undefined;

/**
 * A raw deflate stream of `mib` MiB of zeros, about 1 KB per MiB: one
 * sync-flushed piece for the first MiB, then an 8 MiB piece repeated (it only
 * refers back to zeros), then an empty final block.
 */
export function deflateBomb(mib: number): Uint8Array {
  if (!kernel) {
    const parts: Uint8Array[] = [];
    const d = new Deflate({ level: 9 }, (c) => void parts.push(c));
    d.push(new Uint8Array(MiB));
    d.flush(true);
    const first = parts.length;
    d.push(new Uint8Array(8 * MiB));
    d.flush(true);
    kernel = { head: join(parts.slice(0, first)), body: join(parts.slice(first)) };
  }
  const repeats = Math.max(0, Math.ceil((mib - 1) / 8));
  return join([kernel.head, ...Array.from({ length: repeats }, () => kernel!.body), Uint8Array.of(0x03, 0x00)]);
}

/** The size a `deflateBomb(mib)` really inflates to. */
export const bombSize = (mib: number) => (1 + 8 * Math.max(0, Math.ceil((mib - 1) / 8))) * MiB;

function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A fixture's entries, inflated (trusted test input). */
export function fixtureEntries(name = "kaoh_helloworld.cap"): Record<string, Uint8Array> {
  return unzipSync(new Uint8Array(readFileSync(resolve(FIXTURES, name))));
}

function stored(name: string, data: Uint8Array): RawEntry {
  return { name, data, method: 0, size: data.length, crc: crc32(data) };
}

/** The fixture's components as stored entries, with the entry whose name ends in `replace` swapped for `bomb`. */
function capWith(replace: string, bomb: (name: string) => RawEntry): RawEntry[] {
  return Object.entries(fixtureEntries()).map(([name, data]) => (name.endsWith(replace) ? bomb(name) : stored(name, data)));
}

/** The Method component replaced by `mib` MiB of zeros; `declared` is what the headers say it inflates to. */
export function deflateBombCap(mib: number, declared: "truth" | number): Uint8Array {
  const data = deflateBomb(mib);
  return rawZip(capWith("/Method.cap", (name) => ({ name, data, method: 8, size: declared === "truth" ? bombSize(mib) : declared, crc: 0 })));
}

/** The Method component is itself a ZIP of deflate bombs, and a second-level archive sits beside it. */
export function nestedBombCap(levels = 3): Uint8Array {
  let inner = rawZip([{ name: "zeros", data: deflateBomb(64), method: 8, size: bombSize(64), crc: 0 }]);
  for (let i = 1; i < levels; i++) {
    const entries: Record<string, Uint8Array> = {};
    for (let j = 0; j < 8; j++) entries[`layer${i}-${j}.zip`] = inner;
    inner = zipSync(entries, { level: 9 });
  }
  const entries = capWith("/Method.cap", (name) => stored(name, inner));
  entries.push(stored("APPLET-INF/bombs.zip", inner));
  return rawZip(entries);
}

/** `copies` component entries (one package path each) all pointing at one kernel of `mib` MiB, each declaring `declared` bytes. */
export function overlapBombCap(copies: number, mib: number, declared = 50_000): Uint8Array {
  const data = deflateBomb(mib);
  const entries: RawEntry[] = [{ name: "p0/javacard/Header.cap", data, method: 8, size: declared, crc: 0 }];
  for (let i = 1; i < copies; i++) entries.push({ name: `p${i}/javacard/Header.cap`, data, method: 8, size: declared, crc: 0, sameDataAs: 0 });
  return rawZip(entries);
}

/** The fixture plus `extra` empty entries: more entries than any CAP file has. */
export function manyEntriesCap(extra: number): Uint8Array {
  const entries = capWith("\0", () => stored("", new Uint8Array(0)));
  for (let i = 0; i < extra; i++) entries.push(stored(`e/${i}`, new Uint8Array(0)));
  return rawZip(entries);
}
