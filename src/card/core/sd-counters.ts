/**
 * Where a security domain's secure channel counters live in the card's
 * memory: the sequence counter (GP 2.3.1 E.4.1; amendment D 6.2.2) and the
 * count of failed EXTERNAL AUTHENTICATE commands. Each SD authenticates
 * with its own key sets, so each keeps its own counters: an SSD's sessions
 * neither advance the ISD's counter nor bring the ISD nearer its lock, and
 * the other way round. The ISD keeps the rows it always had.
 */
import { toHex } from "../../stack/bytes.ts";
import { META } from "../store/schema.ts";

export interface CounterKeys {
  sequence: string;
  failures: string;
}

/** The meta rows of the counters of the SSD `sd`, or of the ISD when `sd` is undefined. */
export function counterKeys(sd?: Uint8Array): CounterKeys {
  if (!sd) return { sequence: META.SEQUENCE_COUNTER, failures: META.AUTH_FAILURES };
  const aid = toHex(sd);
  return { sequence: `${META.SEQUENCE_COUNTER}.${aid}`, failures: `${META.AUTH_FAILURES}.${aid}` };
}
