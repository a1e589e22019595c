/**
 * The T=0 transmission protocol as the card side shows it to an application
 * (ISO/IEC 7816-3 section 10.3.4; ISO/IEC 7816-4 section 5.3.4). A T=0
 * command header carries one length byte P3, so:
 *
 *   case 3/4 (data in; Le is never sent)   data out waiting -> 61 La, the
 *                                           data come with GET RESPONSE
 *   case 1/2 (no data in; P3 = Le)         data out of another length than
 *                                           Le -> 6C La, resend with Le = La
 *   GET RESPONSE 00 C0 00 00 Le            the next Le bytes, 61 xx while
 *                                           more wait, the command's SW last
 *
 * La is the count of bytes waiting, 00 meaning 256. A warning (62xx/63xx)
 * with data answers 61 La too, and the warning comes with the last GET
 * RESPONSE; with `warnings: "alone"` the card sends the warning without data
 * and GET RESPONSE gives the data with 9000, as operator UICCs do (GPP#124,
 * seek-for-android#13 in REAL-CARDS.md appendix A). Extended-length APDUs do
 * not exist on T=0: 6700.
 */
import type { VirtualCard } from "../virtual-card.ts";
import { concat } from "../../stack/bytes.ts";

const SW_WRONG_LENGTH = Uint8Array.of(0x67, 0x00);
const SW_CONDITIONS = Uint8Array.of(0x69, 0x85);
const INS_GET_RESPONSE = 0xc0;

export interface T0Options {
  /** "procedure" (61xx, the warning on the last GET RESPONSE) or "alone" (the warning without data first). */
  warnings?: "procedure" | "alone";
}

/** `card` behind T=0: procedure bytes 61xx / 6Cxx and GET RESPONSE. */
export function withT0(card: VirtualCard, options: T0Options = {}): VirtualCard {
  let waiting: { data: Uint8Array; sw: Uint8Array } | undefined;
  const forget = () => (waiting = undefined);

  /** Up to `le` waiting bytes: 61 xx while more remain, else the data with the final SW. */
  const give = (le: number): Uint8Array => {
    const w = waiting!;
    if (le > w.data.length) return Uint8Array.of(0x6c, w.data.length & 0xff);
    const out = w.data.subarray(0, le);
    const rest = w.data.subarray(le);
    if (rest.length === 0) {
      waiting = undefined;
      return concat(out, w.sw);
    }
    waiting = { data: rest, sw: w.sw };
    return concat(out, Uint8Array.of(0x61, rest.length > 0xff ? 0x00 : rest.length));
  };

  const process = async (command: Uint8Array): Promise<Uint8Array> => {
    if (command.length >= 7 && command[4] === 0x00) return SW_WRONG_LENGTH.slice(); // extended length: no such thing on T=0
    if (command.length >= 5 && command[1] === INS_GET_RESPONSE && command[2] === 0 && command[3] === 0 && (command[0]! & 0x80) === 0) {
      if (!waiting) return SW_CONDITIONS.slice();
      return give(command.length === 5 ? command[4]! || 256 : 256);
    }
    waiting = undefined;
    const caseIn = command.length > 5; // data sent: case 3 or 4 (a T=0 header has no room for Le beside Lc)
    const response = await card.process(command);
    const data = response.subarray(0, response.length - 2);
    const sw = response.subarray(response.length - 2);
    if (data.length === 0) return response;
    if (caseIn) {
      const warning = sw[0] === 0x62 || sw[0] === 0x63;
      if (warning && options.warnings === "alone") {
        waiting = { data: data.slice(), sw: Uint8Array.of(0x90, 0x00) };
        return sw.slice();
      }
      waiting = { data: data.slice(), sw: sw.slice() };
      return Uint8Array.of(0x61, data.length > 0xff ? 0x00 : data.length);
    }
    // Case 1 goes out with P3 00, which reads as Le 256. A wrong Le: 6C La, and the terminal sends the command again.
    const le = command.length === 5 ? command[4]! || 256 : 256;
    return le === data.length ? response : Uint8Array.of(0x6c, data.length & 0xff);
  };

  return {
    atr: () => card.atr(),
    powerOn: () => {
      forget();
      card.powerOn();
    },
    powerOff: () => {
      forget();
      card.powerOff();
    },
    reset: () => {
      forget();
      card.reset();
    },
    process,
  };
}
