/**
 * What the card accepts in a class byte (ISO/IEC 7816-4 section 5.4.1,
 * GP 2.3.1 section 11.1.4) and which logical channel it addresses:
 *
 *   first interindustry 00-1F (proprietary twin 80-9F): b5 chaining, b4-b3 SM, b2-b1 channel 0-3
 *   further interindustry 40-7F (proprietary twin C0-FE): b6 SM, b5 chaining, b4-b1 channel 4-19
 *
 * In the first classes b4-b3 = 01 is GlobalPlatform's secure messaging
 * (84, 04), 10/11 ISO's, which the card does not speak; in the further
 * classes b6 is the only SM bit and stands for GlobalPlatform's (E0-EF).
 */
import { SW } from "../../stack/status-words.ts";

/** GP secure messaging indicator on the basic channel (CLA 84, 04). */
export const CLA_SM = 0x04;

const first = (cla: number) => cla <= 0x1f || (cla >= 0x80 && cla <= 0x9f);
const further = (cla: number) => (cla >= 0x40 && cla <= 0x7f) || (cla >= 0xc0 && cla <= 0xfe);

/**
 * The logical channel a class byte addresses; 0 for a class byte that does
 * not code one (as APDU.getCLAChannel, Java Card 3.0.5 API).
 */
export function channelOf(cla: number): number {
  if (first(cla)) return cla & 0x03;
  if (further(cla)) return 4 + (cla & 0x0f);
  return 0;
}

/** The SW for a class byte the ISD and built-in applications do not take, or undefined when it is fine. */
export function claProblem(cla: number): number | undefined {
  if (!first(cla) && !further(cla)) return SW.CLA_NOT_SUPPORTED;
  if (cla & 0x10) return 0x6884; // command chaining not supported
  if (first(cla) && cla & 0x08) return SW.SECURE_MESSAGING_NOT_SUPPORTED; // ISO secure messaging
  return undefined;
}

/**
 * The class byte as on the basic channel (80, 84, 00, 04): what the ISD's
 * command handlers and the secure channel see. GP 2.3.1 section 11.1.4 and
 * amendment D section 6.2.4: the C-MAC covers the class byte with its
 * logical channel bits zeroed, so a session's MACs do not depend on the
 * channel it runs on.
 */
export function basicClass(cla: number): number {
  const sm = first(cla) ? (cla & 0x0c) === CLA_SM : (cla & 0x20) !== 0;
  return (cla & 0x80) | (sm ? CLA_SM : 0);
}

/**
 * The class bytes a Java Card applet receives (JCRE 3.0.5 §4.3, APDU.isValidCLA):
 * every CLA but FF goes to the selected applet, logical channel, secure
 * messaging and command chaining bits included (the applet decides).
 */
export function appletClaProblem(cla: number): number | undefined {
  return cla === 0xff ? SW.CLA_NOT_SUPPORTED : undefined;
}
