/**
 * The card's built-in Security Domain load file and module, from which every
 * supplementary security domain is created (GP 2.3.1 section 7.2.1); the
 * AIDs are those JCOP cards use and GlobalPlatformPro assumes.
 */
import { fromHex } from "../../stack/bytes.ts";
import { PRIV1 } from "../../stack/gp/constants.ts";
import type { ApplicationRecord } from "../store/registry.ts";

export const SD_PACKAGE_AID = fromHex("A0000001515350");
export const SD_MODULE_AID = fromHex("A000000151535041");

/** Whether a registry record is a security domain (not a built-in application). */
export function isDomainRecord(a: ApplicationRecord): boolean {
  return !a.builtin && ((a.privileges[0] ?? 0) & PRIV1.SECURITY_DOMAIN) !== 0;
}
