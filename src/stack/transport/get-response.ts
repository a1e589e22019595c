/**
 * ISO 7816-4 section 5.3.3 / 7.6.1: a T=0 card answers 61xx when xx more
 * bytes wait (fetch them with GET RESPONSE) and 6Cxx when Le was wrong
 * (resend the same command with Le = xx). Both loops are bounded.
 */
import { concat } from "../bytes.ts";
import { TransportError } from "../errors.ts";
import { wrap, type Transport } from "./transport.ts";

const INS_GET_RESPONSE = 0xc0;

export interface GetResponseOptions {
  /** Most GET RESPONSE commands for one command (default 256, about 64 KB). */
  maxFetches?: number;
}

/** Follow 61xx with GET RESPONSE and concatenate the data. */
export function withGetResponse(inner: Transport, options: GetResponseOptions = {}): Transport {
  const max = options.maxFetches ?? 256;
  return wrap(inner, async (command) => {
    let response = await inner.transmit(command);
    let sw1 = response[response.length - 2];
    if (sw1 !== 0x61) return response;
    const parts: Uint8Array[] = [];
    const cla = (command[0] ?? 0) & 0x03; // keep the logical channel, drop SM and chaining bits
    for (let i = 0; sw1 === 0x61; i++) {
      if (i >= max) {
        throw new TransportError("protocol", `Card kept answering 61xx after ${max} GET RESPONSE commands`);
      }
      parts.push(response.subarray(0, response.length - 2));
      const le = response[response.length - 1]!;
      response = await inner.transmit(Uint8Array.of(cla, INS_GET_RESPONSE, 0, 0, le));
      sw1 = response[response.length - 2];
    }
    parts.push(response);
    return concat(...parts);
  });
}

/** Resend once with the corrected Le on 6Cxx. */
export function withLeCorrection(inner: Transport, options: { maxRetries?: number } = {}): Transport {
  const max = options.maxRetries ?? 1;
  return wrap(inner, async (command) => {
    let response = await inner.transmit(command);
    for (let i = 0; i < max && response.length === 2 && response[0] === 0x6c; i++) {
      const fixed = resendWithLe(command, response[1]!);
      if (!fixed) break;
      response = await inner.transmit(fixed);
    }
    return response;
  });
}

/** The same command with its short Le replaced; undefined for extended or Le-less commands. */
function resendWithLe(command: Uint8Array, le: number): Uint8Array | undefined {
  if (command.length < 5) return undefined;
  if (command.length === 5) return Uint8Array.of(command[0]!, command[1]!, command[2]!, command[3]!, le);
  const lc = command[4]!;
  if (lc === 0) return undefined; // extended form: 6Cxx does not apply
  if (command.length === 6 + lc) {
    const out = command.slice();
    out[out.length - 1] = le;
    return out;
  }
  if (command.length === 5 + lc) return undefined; // case 3: no Le to fix
  return undefined;
}

/**
 * T=0 only (quirk t0WarningWithoutData): a case-4 command answered with a
 * warning (62xx/63xx) and no data may still have data waiting, which the
 * terminal asks for with GET RESPONSE and Le 00 (ETSI TS 102 221 7.3.1.1.5;
 * operator UICCs answer GET STATUS so, GlobalPlatformPro #124). The data come
 * back with the first warning, which carries the meaning (6310: more pages).
 * A GET RESPONSE the card refuses leaves the warning as it was.
 */
export function withWarningData(inner: Transport): Transport {
  return wrap(inner, async (command) => {
    const response = await inner.transmit(command);
    if (response.length !== 2 || (response[0] !== 0x62 && response[0] !== 0x63) || !isCase4(command)) return response;
    const fetched = await inner.transmit(Uint8Array.of((command[0] ?? 0) & 0x03, INS_GET_RESPONSE, 0, 0, 0));
    const n = fetched.length;
    if (n <= 2 || fetched[n - 2] !== 0x90 || fetched[n - 1] !== 0x00) return response;
    return concat(fetched.subarray(0, n - 2), response);
  });
}

/** Whether a short command carries both data and Le (ISO 7816-4 5.1, case 4S). */
function isCase4(command: Uint8Array): boolean {
  const lc = command[4];
  return command.length > 5 && lc !== undefined && lc !== 0 && command.length === 6 + lc;
}

/**
 * The usual stack for a raw card: Le correction, then GET RESPONSE; on T=0
 * also the data behind a warning (`t0`; when not given, T=0 when `inner`
 * says so in a `protocol` member, as a reader connection does). A trace
 * wrapped around `inner` shows every command these add.
 */
export function withIsoResponses(inner: Transport, options: { t0?: boolean } = {}): Transport {
  const corrected = withLeCorrection(inner);
  const outer = withGetResponse(corrected);
  if (options.t0 === false) return outer;
  const warned = withGetResponse(withWarningData(corrected));
  if (options.t0 === true) return warned;
  // Not said: a reader connection names its protocol once connected (host/pcsc ReaderConnection.protocol).
  const isT0 = () => (inner as { readonly protocol?: string }).protocol === "T=0";
  return wrap(outer, (command) => (isT0() ? warned : outer).transmit(command));
}
