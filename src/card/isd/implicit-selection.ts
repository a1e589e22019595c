/**
 * The Implicit Selection Parameter (CF in the EF of the install parameters,
 * stack/gp/implicit-selection.ts) on the card: one application at most is
 * implicitly selected per interface and logical channel, and on the contact
 * interface's basic channel that place is the Card Reset privilege's (GP
 * 2.3.1 section 6.6.1; amendment C). The card's contact side (vpcd) selects
 * it at power-on; the contactless one is recorded and reported in GET STATUS.
 */
import { toHex } from "../../stack/bytes.ts";
import { FormatError } from "../../stack/errors.ts";
import { PRIV1 } from "../../stack/gp/constants.ts";
import { IMPLICIT, implicitSelectionOf } from "../../stack/gp/implicit-selection.ts";
import { MAX_CHANNEL } from "../../stack/gp/logical-channel.ts";
import { SW } from "../../stack/status-words.ts";
import { refuse } from "../refusal.ts";
import type { ApplicationRecord } from "../store/registry.ts";

/** The CF bytes of stored install parameters (none when they do not parse: they were checked at INSTALL). */
export function implicitOf(params: Uint8Array): number[] {
  try {
    return implicitSelectionOf(params);
  } catch {
    return [];
  }
}

/** The places (interface bit and channel) an application is implicitly selected on. */
function places(privileges: Uint8Array, params: Uint8Array): string[] {
  const out = implicitOf(params).flatMap((cf) =>
    [IMPLICIT.CONTACTLESS, IMPLICIT.CONTACT].filter((bit) => cf & bit).map((bit) => `${bit === IMPLICIT.CONTACT ? "contact" : "contactless"} channel ${cf & IMPLICIT.CHANNEL_MASK}`),
  );
  if (((privileges[0] ?? 0) & PRIV1.CARD_RESET) !== 0) out.push("contact channel 0");
  return [...new Set(out)];
}

/** Whether the application is the contact interface's default on the basic channel. */
export function contactDefault(a: Pick<ApplicationRecord, "privileges" | "params">): boolean {
  return places(a.privileges, a.params).includes("contact channel 0");
}

/** Refuse a CF that does not parse or names no channel, or a place another application holds. */
export function checkImplicitSelection(op: string, params: Uint8Array, privileges: Uint8Array, apps: readonly ApplicationRecord[]): void {
  let cfs: number[];
  try {
    cfs = implicitSelectionOf(params);
  } catch (error) {
    if (error instanceof FormatError) refuse(op, SW.WRONG_DATA, error.message);
    throw error;
  }
  for (const cf of cfs) {
    if ((cf & IMPLICIT.CHANNEL_MASK) > MAX_CHANNEL) refuse(op, SW.WRONG_DATA, `implicit selection on logical channel ${cf & IMPLICIT.CHANNEL_MASK}: the card has 0-${MAX_CHANNEL}`);
  }
  const wanted = places(privileges, params);
  for (const other of apps) {
    const taken = places(other.privileges, other.params).find((p) => wanted.includes(p));
    if (taken) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(other.aid)} is already implicitly selected on the ${taken}`);
  }
}
