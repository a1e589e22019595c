/**
 * What the card accepts in a class byte (ISO/IEC 7816-4 section 5.4.1,
 * GP 2.3.1 section 11.1.4): the first interindustry classes 00-1F and their
 * proprietary twins 80-9F, on the basic logical channel only, without
 * command chaining; bit 3 (04) is GlobalPlatform secure messaging.
 */
import { SW } from "../../stack/status-words.ts";

/** GP secure messaging indicator (CLA 84, 04). */
export const CLA_SM = 0x04;

/** The SW for a class byte the card does not take, or undefined when it is fine. */
export function claProblem(cla: number): number | undefined {
  if (cla >= 0x40 && cla <= 0x7f) return SW.LOGICAL_CHANNEL_NOT_SUPPORTED; // further interindustry: channels 4-19
  if (!(cla <= 0x1f || (cla >= 0x80 && cla <= 0x9f))) return SW.CLA_NOT_SUPPORTED;
  if (cla & 0x10) return 0x6884; // command chaining not supported
  if (cla & 0x03) return SW.LOGICAL_CHANNEL_NOT_SUPPORTED;
  if (cla & 0x08) return SW.SECURE_MESSAGING_NOT_SUPPORTED; // ISO secure messaging
  return undefined;
}

/**
 * The class bytes a Java Card applet receives (JCRE 3.0.5 §4.3, APDU.isValidCLA):
 * every CLA but FF goes to the selected applet, secure messaging and command
 * chaining bits included (the applet decides); only logical channels other
 * than the basic one are refused, this card having just the basic channel.
 */
export function appletClaProblem(cla: number): number | undefined {
  if (cla === 0xff) return SW.CLA_NOT_SUPPORTED;
  if ((cla & 0xc0) === 0x40) return SW.LOGICAL_CHANNEL_NOT_SUPPORTED; // further interindustry: channels 4-19
  if ((cla < 0x40 || (cla >= 0x80 && cla < 0xa0)) && (cla & 0x03) !== 0) return SW.LOGICAL_CHANNEL_NOT_SUPPORTED;
  return undefined;
}
