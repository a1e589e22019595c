/**
 * SELECT by DF name (ISO/IEC 7816-4 section 7.1.1, GP 2.3.1 section 11.9):
 * the data is a full AID or its beginning (partial selection); P2 bit 2
 * asks for the next occurrence after the current application. Candidates
 * are searched in registry order: the ISD first, then applications in the
 * order they were installed.
 */
import { equal } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";

export interface Candidate {
  aid: Uint8Array;
  /** Selectable now (life cycle, card state). */
  selectable: boolean;
}

/** SELECT P2 values taken: first or next occurrence, with FCI (00/02) or without (0C/0E). */
export function selectP2Problem(p1: number, p2: number): number | undefined {
  if (p1 !== 0x04) return SW.INCORRECT_P1P2; // only selection by DF name (AID)
  if (![0x00, 0x02, 0x0c, 0x0e].includes(p2)) return SW.INCORRECT_P1P2;
  return undefined;
}

const startsWith = (aid: Uint8Array, prefix: Uint8Array) =>
  prefix.length <= aid.length && prefix.every((b, i) => aid[i] === b);

/** The candidate to select, or undefined when none matches. */
export function findSelectable(
  prefix: Uint8Array,
  next: boolean,
  current: Uint8Array | undefined,
  candidates: readonly Candidate[],
): Candidate | undefined {
  const matching = candidates.filter((c) => c.selectable && startsWith(c.aid, prefix));
  if (!next) return matching.find((c) => equal(c.aid, prefix)) ?? matching[0];
  if (!current) return matching[0];
  const at = matching.findIndex((c) => equal(c.aid, current));
  return at < 0 ? matching[0] : matching[at + 1];
}
