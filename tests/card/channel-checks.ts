/**
 * The logical channel checks that run the same in-process and through
 * pcscd + vpcd: a secure channel opened on one logical channel does not
 * authenticate another, and channels 4-19 carry it with the further
 * interindustry class. Returns what the card answered, for the test to compare.
 */
import { toHex } from "../../src/stack/bytes.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { openSecureChannel } from "../../src/stack/gp/secure-channel.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { openLogicalChannel } from "../../src/stack/transport/logical-channel.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => Number.parseInt(b, 16)));
const swOf = (r: Uint8Array) => toHex(r.subarray(r.length - 2));
const GET_STATUS_ISD = "80F28002024F0000";

/** What the card answers on each step (SW hex), and the class bytes that went out on channel 11. */
export async function channelIsolation(raw: Transport, scp: 2 | 3) {
  const keys = defaultKeys(scp === 2 ? "3DES" : "AES");
  const basic = withIsoResponses(raw);
  const out: Record<string, string | string[] | number> = {};
  await basic.transmit(hex("00A4040008A000000151000000"));
  const two = await openLogicalChannel(raw, 2, basic);
  let divert = false;
  const router: Transport = { ...two, transmit: (c) => (divert ? raw.transmit(c) : two.transmit(c)) };
  const sc = await openSecureChannel(withIsoResponses(router), { keys, scp, level: "enc" });
  out.securedOn2 = swOf(await sc.transmit(hex(GET_STATUS_ISD)));
  out.plainOn0 = swOf(await basic.transmit(hex(GET_STATUS_ISD)));
  const other = await openLogicalChannel(raw, undefined, basic);
  out.assigned = other.channel;
  out.plainOnAssigned = swOf(await withIsoResponses(other).transmit(hex(GET_STATUS_ISD)));
  out.securedOn2Again = swOf(await sc.transmit(hex(GET_STATUS_ISD)));
  // Channel 2's next command, C-MAC and all, sent on channel 0 instead.
  divert = true;
  out.channel2MacOn0 = swOf(await sc.transmit(hex(GET_STATUS_ISD)));
  await other.release();
  await two.release();
  out.afterClose = swOf(await basic.transmit(hex("82F28002024F0000")));
  // Channel 11: INITIALIZE UPDATE C7, then E7 under secure messaging.
  const classes: string[] = [];
  const spy: Transport = { ...raw, transmit: (c) => (classes.push(toHex(c.subarray(0, 1))), raw.transmit(c)) };
  const eleven = await openLogicalChannel(spy, 11, basic);
  const sc11 = await openSecureChannel(withIsoResponses(eleven), { keys, scp, level: "mac" });
  out.securedOn11 = swOf(await sc11.transmit(hex(GET_STATUS_ISD)));
  await eleven.release();
  out.classesOn11 = classes;
  return out;
}

/** What channelIsolation must give. */
export const CHANNEL_ISOLATION = {
  securedOn2: "9000",
  plainOn0: "6982",
  assigned: 1,
  plainOnAssigned: "6982",
  securedOn2Again: "9000",
  channel2MacOn0: "6982",
  afterClose: "6881",
  securedOn11: "9000",
  classesOn11: ["C7", "E7", "E7", "47"],
};
