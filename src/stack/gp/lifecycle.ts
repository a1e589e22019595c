/**
 * Life cycle states by name, in both directions (GP 2.3.1 section 5.1-5.3,
 * tables 11-5 to 11-7). The same byte means different things for the card,
 * a load file, an application and a security domain, so names take a kind.
 */
import { FormatError } from "../errors.ts";
import { APP_LIFECYCLE, CARD_LIFECYCLE } from "./constants.ts";
import { hexNumber } from "../bytes.ts";

/** What a life cycle byte belongs to. */
export type LifecycleKind = "card" | "load-file" | "app" | "domain";

const CARD_NAMES: ReadonlyMap<number, string> = new Map([
  [CARD_LIFECYCLE.OP_READY, "op-ready"],
  [CARD_LIFECYCLE.INITIALIZED, "initialized"],
  [CARD_LIFECYCLE.SECURED, "secured"],
  [CARD_LIFECYCLE.CARD_LOCKED, "card-locked"],
  [CARD_LIFECYCLE.TERMINATED, "terminated"],
]);

/** The name of a life cycle state ("selectable", "locked", "secured"); unknown values as hex. */
export function lifecycleName(kind: LifecycleKind, value: number): string {
  const hex = `0x${hexNumber(value)}`;
  if (kind === "card") return CARD_NAMES.get(value) ?? hex;
  if (kind === "load-file") return value === APP_LIFECYCLE.LOADED ? "loaded" : hex;
  // Applications and domains: b8 set = locked, on top of the previous state (GP 5.3.1).
  if ((value & APP_LIFECYCLE.LOCKED_BIT) !== 0) return "locked";
  if (value === APP_LIFECYCLE.INSTALLED) return "installed";
  if (value === APP_LIFECYCLE.SELECTABLE) return "selectable";
  if (kind === "domain" && value === APP_LIFECYCLE.PERSONALIZED) return "personalized";
  // xxxxx111: application-specific states above SELECTABLE (GP 5.3.1).
  if ((value & 0x07) === 0x07) return `selectable (application-specific ${hex})`;
  return hex;
}

/** The byte of a named life cycle state: the reverse of lifecycleName for the named states. */
export function lifecycleValue(kind: LifecycleKind, name: string): number {
  const n = name.trim().toLowerCase().replace(/[_\s]/g, "-");
  if (kind === "card") {
    for (const [v, cardName] of CARD_NAMES) if (cardName === n) return v;
  } else if (kind === "load-file") {
    if (n === "loaded") return APP_LIFECYCLE.LOADED;
  } else {
    if (n === "installed") return APP_LIFECYCLE.INSTALLED;
    if (n === "selectable") return APP_LIFECYCLE.SELECTABLE;
    if (n === "locked") return APP_LIFECYCLE.LOCKED_BIT;
    if (kind === "domain" && n === "personalized") return APP_LIFECYCLE.PERSONALIZED;
  }
  throw new FormatError(`Unknown ${kind} life cycle state '${name}'`);
}

/** Whether an application or domain state has the locked bit. */
export function isLocked(value: number): boolean {
  return (value & APP_LIFECYCLE.LOCKED_BIT) !== 0;
}
