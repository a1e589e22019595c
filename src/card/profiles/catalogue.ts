/**
 * The profiles webcard ships (one JSON file each, imported so that the
 * compiled executable embeds them) and profile files a user gives by path.
 * Every file passes parseProfile before the card uses it.
 */
import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { UsageError, WebcardError } from "../../stack/errors.ts";
import { parseProfile, PROFILE_MAX_BYTES } from "./parse-profile.ts";
import type { CardProfile } from "./profile.ts";
import acosj from "./acosj.json" with { type: "json" };
import cosmoV8 from "./cosmo-v8.json" with { type: "json" };
import feitianA22 from "./feitian-a22.json" with { type: "json" };
import gp23 from "./gp23.json" with { type: "json" };
import idcore30 from "./idcore30.json" with { type: "json" };
import jcop242 from "./jcop242.json" with { type: "json" };
import jcop3Secid from "./jcop3-secid.json" with { type: "json" };
import jcop4T0 from "./jcop4-t0.json" with { type: "json" };
import jcop4 from "./jcop4.json" with { type: "json" };
import nokia6131 from "./nokia-6131.json" with { type: "json" };
import omniRing from "./omni-ring.json" with { type: "json" };
import optelio from "./optelio.json" with { type: "json" };
import sce32 from "./sce32.json" with { type: "json" };
import sce60 from "./sce60.json" with { type: "json" };
import sysmoIsim from "./sysmo-isim.json" with { type: "json" };
import sysmoUsim from "./sysmo-usim.json" with { type: "json" };
import yubikeyNeo from "./yubikey-neo.json" with { type: "json" };

/** Shipped profiles, in the order `webcard sim --profiles` lists them (gp23, the default, first). */
const SHIPPED: readonly [string, unknown][] = [
  ["gp23.json", gp23],
  ["acosj.json", acosj],
  ["cosmo-v8.json", cosmoV8],
  ["feitian-a22.json", feitianA22],
  ["idcore30.json", idcore30],
  ["jcop242.json", jcop242],
  ["jcop3-secid.json", jcop3Secid],
  ["jcop4-t0.json", jcop4T0],
  ["jcop4.json", jcop4],
  ["nokia-6131.json", nokia6131],
  ["omni-ring.json", omniRing],
  ["optelio.json", optelio],
  ["sce32.json", sce32],
  ["sce60.json", sce60],
  ["sysmo-isim.json", sysmoIsim],
  ["sysmo-usim.json", sysmoUsim],
  ["yubikey-neo.json", yubikeyNeo],
];

/** The default profile: the card webcard has always simulated. */
export const DEFAULT_PROFILE = "gp23";

let parsed: CardProfile[] | undefined;

/** Every shipped profile, checked (a bad shipped file is a bug: it throws). */
export function shippedProfiles(): CardProfile[] {
  parsed ??= SHIPPED.map(([file, json]) => parseProfile(json, file));
  return parsed;
}

/** A shipped profile by name, or a profile file by path (a name with '/' or ending in .json). */
export function profileNamed(nameOrPath: string): CardProfile {
  if (nameOrPath.includes("/") || nameOrPath.endsWith(".json")) return readProfileFile(nameOrPath);
  const found = shippedProfiles().find((p) => p.name === nameOrPath);
  if (!found) {
    throw new UsageError(`Unknown card profile '${nameOrPath}': use one of ${shippedProfiles().map((p) => p.name).join(", ")}, or a profile file (see webcard sim --profiles)`);
  }
  return found;
}

/** Read and check a profile file (bounded in size before it is read). */
export function readProfileFile(path: string): CardProfile {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > PROFILE_MAX_BYTES) throw new WebcardError(`Profile ${path} is ${size} bytes; a profile is at most ${PROFILE_MAX_BYTES}`, { hint: "is it the right file?" });
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof WebcardError) throw error;
    throw new WebcardError(`Cannot read profile ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: "give a shipped profile's name (webcard sim --profiles) or the path of a profile file",
    });
  }
  return parseProfile(text, basename(path));
}
