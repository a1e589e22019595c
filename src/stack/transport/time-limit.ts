/**
 * A time limit per command for a transport that has none of its own (the
 * in-process simulated card; PC/SC readers get theirs from the PC/SC
 * session): a command that does not answer within `ms` fails with a
 * TransportError of kind "timeout", as a reader's would. Time only runs
 * while the card waits on something: a command that computes without
 * pausing finishes first, and its bounds are the card's (JCVM limits).
 */
import { TransportError } from "../errors.ts";
import { wrap, type Transport } from "./transport.ts";

/** `inner` with each command limited to `ms` milliseconds. */
export function withTimeLimit(inner: Transport, ms: number): Transport {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`time limit ${ms} ms is not positive`);
  return wrap(inner, async (command) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new TransportError("timeout", `${inner.name} did not answer within ${ms / 1000} s`, { hint: "give it longer with --timeout" }));
      }, ms);
    });
    try {
      return await Promise.race([inner.transmit(command), late]);
    } finally {
      clearTimeout(timer);
    }
  });
}
