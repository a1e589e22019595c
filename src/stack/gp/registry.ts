/**
 * GET STATUS responses (GP 2.3.1 section 11.4.3): the card's registry.
 *
 * Tagged format (P2 02/03), a sequence of
 *   E3 { 4F aid | 9F70 life cycle | C5 privileges | C4 load file AID |
 *        CC associated security domain | CE version | 84 module AID ... }
 * Legacy format of GP 2.1.1 (P2 00/01):
 *   Laid aid | life cycle | privileges (1 byte) [| module count | (Lmod mod)...]
 * the module list only for P1 10 (load files and their modules).
 */
import { FormatError } from "../errors.ts";
import { parseTlvs, type Tlv } from "../tlv.ts";
import { PRIV1, TAG } from "./constants.ts";
import type { StatusSubset } from "./commands.ts";
import { IMPLICIT_SELECTION_TAG } from "./implicit-selection.ts";
import { decodePrivileges } from "./privileges.ts";

/** One registry entry, whatever its kind. */
export interface RegistryEntry {
  kind: "isd" | "domain" | "app" | "load-file";
  aid: Uint8Array;
  /** Life cycle state byte (see lifecycle.ts for names). */
  lifecycle: number;
  /** 24-bit privilege set; 0 for load files. */
  privileges: number;
  /** Load file an application comes from (C4). */
  loadFileAid?: Uint8Array;
  /** Associated security domain (CC). */
  domainAid?: Uint8Array;
  /** Load file version (CE), usually major.minor. */
  version?: Uint8Array;
  /** Modules (applet classes) of a load file (84). */
  modules: Uint8Array[];
  /** Implicit Selection Parameters (CF, amendment C): interfaces and channel it is the default on. */
  implicitSelection?: number[];
}

function kindOf(subset: StatusSubset, privileges: number): RegistryEntry["kind"] {
  if (subset === "isd") return "isd";
  if (subset === "apps") return ((privileges >> 16) & PRIV1.SECURITY_DOMAIN) !== 0 ? "domain" : "app";
  return "load-file";
}

function entryFromTlvs(fields: Tlv[], subset: StatusSubset, raw: Uint8Array): RegistryEntry {
  let aid: Uint8Array | undefined;
  let lifecycle = 0;
  let privileges = 0;
  const entry: Partial<RegistryEntry> & { modules: Uint8Array[] } = { modules: [] };
  for (const f of fields) {
    switch (f.tag) {
      case TAG.AID:
        aid = f.value;
        break;
      case TAG.LIFECYCLE:
        lifecycle = f.value[0] ?? 0;
        break;
      case TAG.PRIVILEGES:
        privileges = decodePrivileges(f.value);
        break;
      case TAG.LOAD_FILE_AID:
        entry.loadFileAid = f.value;
        break;
      case TAG.ASSOCIATED_SD:
        entry.domainAid = f.value;
        break;
      case TAG.VERSION:
        entry.version = f.value;
        break;
      case TAG.MODULE_AID:
        entry.modules.push(f.value);
        break;
      case IMPLICIT_SELECTION_TAG:
        if (f.value.length === 1) entry.implicitSelection = [...(entry.implicitSelection ?? []), f.value[0]!];
        break;
      default:
        break; // Other tags (EA, ...) are not shown.
    }
  }
  if (!aid) throw new FormatError("GET STATUS entry without an AID (tag 4F)", raw);
  return { ...entry, kind: kindOf(subset, privileges), aid, lifecycle, privileges };
}

/** Parse a tagged-format GET STATUS response page (a sequence of E3 entries). */
export function parseRegistryEntries(data: Uint8Array, subset: StatusSubset): RegistryEntry[] {
  return parseTlvs(data)
    .filter((t) => t.tag === TAG.REGISTRY_ENTRY)
    .flatMap((t) => entriesOf(parseTlvs(t.value)).map((fields) => entryFromTlvs(fields, subset, t.value)));
}

/**
 * The entries inside one E3 template: one, or on cards that pack the whole
 * registry into a single E3 (sysmoUSIM-SJS1, quirk getStatusOneTemplate)
 * several, each starting at its own AID (4F).
 */
function entriesOf(fields: Tlv[]): Tlv[][] {
  const out: Tlv[][] = [[]];
  for (const f of fields) {
    const current = out[out.length - 1]!;
    if (f.tag === TAG.AID && current.some((x) => x.tag === TAG.AID)) out.push([f]);
    else current.push(f);
  }
  return out;
}

/** Whether a tagged GET STATUS answer packs more than one entry in one E3 template (quirk getStatusOneTemplate). */
export function hasPackedEntries(data: Uint8Array): boolean {
  return parseTlvs(data).some((t) => t.tag === TAG.REGISTRY_ENTRY && entriesOf(parseTlvs(t.value)).length > 1);
}

/** Parse a legacy-format (GP 2.1.1) GET STATUS response page. */
export function parseLegacyEntries(data: Uint8Array, subset: StatusSubset): RegistryEntry[] {
  const out: RegistryEntry[] = [];
  let o = 0;
  const need = (n: number) => {
    if (o + n > data.length) throw new FormatError(`GET STATUS response truncated at byte ${o}`, data);
  };
  while (o < data.length) {
    need(1);
    const len = data[o++]!;
    need(len + 2);
    const aid = data.slice(o, o + len);
    o += len;
    const lifecycle = data[o++]!;
    const privileges = decodePrivileges(Uint8Array.of(data[o++]!));
    const modules: Uint8Array[] = [];
    if (subset === "load-files-and-modules") {
      need(1);
      const count = data[o++]!;
      for (let i = 0; i < count; i++) {
        need(1);
        const ml = data[o++]!;
        need(ml);
        modules.push(data.slice(o, o + ml));
        o += ml;
      }
    }
    out.push({ kind: kindOf(subset, privileges), aid, lifecycle, privileges, modules });
  }
  return out;
}
