/**
 * Implicit selection per interface (GP 2.3.1 amendment C, contactless
 * services; GP 2.3.1 section 11.5.2.3.7 and table 11-49): the Implicit
 * Selection Parameter, tag CF in the system specific parameters (EF) of
 * INSTALL [for install], and in the application's GET STATUS entry.
 *
 *   CF 01 xx   b8 contactless interface, b7 contact interface, b6 RFU,
 *              b5-b1 the logical channel it is implicitly selected on
 *
 * Neither interface bit: selectable only explicitly (SELECT by name).
 */
import { concat } from "../bytes.ts";
import { FormatError } from "../errors.ts";
import { encodeTlv, parseTlvs } from "../tlv.ts";
import { installParams } from "./install-params.ts";
import { TAG } from "./constants.ts";

export const IMPLICIT_SELECTION_TAG = 0xcf;

/** The interface bits of CF. */
export const IMPLICIT = { CONTACTLESS: 0x80, CONTACT: 0x40, CHANNEL_MASK: 0x1f } as const;

/** Where an application is the default: `--default contact|contactless|both`. */
export type DefaultInterface = "contact" | "contactless" | "both";

/** The CF byte for `where` on the basic logical channel. */
export function implicitSelectionByte(where: DefaultInterface): number {
  return (where === "contact" ? 0 : IMPLICIT.CONTACTLESS) | (where === "contactless" ? 0 : IMPLICIT.CONTACT);
}

/** The install parameter field (C9 ..., EF ...) with `CF 01 cf` added to its EF (created when absent). */
export function withImplicitSelection(params: Uint8Array | undefined, cf: number): Uint8Array {
  const field = installParams(params);
  const tlvs = parseTlvs(field);
  const cfTlv = encodeTlv(IMPLICIT_SELECTION_TAG, Uint8Array.of(cf));
  const hasEf = tlvs.some((t) => t.tag === TAG.SYSTEM_PARAMS);
  const parts = tlvs.map((t) => (t.tag === TAG.SYSTEM_PARAMS ? encodeTlv(TAG.SYSTEM_PARAMS, t.value, cfTlv) : encodeTlv(t.tag, t.value)));
  return concat(...parts, ...(hasEf ? [] : [encodeTlv(TAG.SYSTEM_PARAMS, cfTlv)]));
}

/** The CF bytes in an install parameter field's EF (none when it has no EF or no CF); throws FormatError on bad TLV. */
export function implicitSelectionOf(params: Uint8Array): number[] {
  if (params.length === 0) return [];
  const out: number[] = [];
  for (const t of parseTlvs(params)) {
    if (t.tag !== TAG.SYSTEM_PARAMS) continue;
    for (const inner of parseTlvs(t.value)) {
      if (inner.tag !== IMPLICIT_SELECTION_TAG) continue;
      if (inner.value.length !== 1) throw new FormatError(`Implicit selection parameter CF of ${inner.value.length} bytes (1 expected)`, inner.value);
      out.push(inner.value[0]!);
    }
  }
  return out;
}

/** Where a CF byte makes the application the default: "contact", "contactless" or both, with the channel when not 0. */
export function implicitSelectionText(cf: number): string {
  const where = [cf & IMPLICIT.CONTACT ? "contact" : "", cf & IMPLICIT.CONTACTLESS ? "contactless" : ""].filter(Boolean).join(" and ") || "explicit selection only";
  const channel = cf & IMPLICIT.CHANNEL_MASK;
  return channel === 0 ? where : `${where}, logical channel ${channel}`;
}
