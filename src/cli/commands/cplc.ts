/**
 * `webcard card set-perso|set-pre-perso --data HEX [--today]`: the CPLC's
 * personalisation or pre-personalisation fields (8 bytes: personalizer,
 * date YDDD, equipment ID), as GlobalPlatformPro's --set-perso and
 * --set-pre-perso; --today puts today's date (UTC) in bytes 3-4.
 */
import { fromHex, hexProblem, toHex } from "../../stack/bytes.ts";
import { UsageError } from "../../stack/errors.ts";
import { CPLC_PERSO_LENGTH, cplcDate } from "../../stack/gp/cplc.ts";
import { setCplcPerso, type CplcPersoField } from "../../host/gp/cplc.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { withSession } from "../session.ts";

export interface CplcFlags extends KeyFlags {
  data?: string;
  today?: boolean;
}

/** The CPLC fields each action sets, by name. */
const FIELDS: Record<CplcPersoField, { names: string[] }> = {
  "pre-perso": { names: ["ICPrePersonalizer", "ICPrePersonalizationEquipmentDate", "ICPrePersonalizationEquipmentID"] },
  perso: { names: ["ICPersonalizer", "ICPersonalizationDate", "ICPersonalizationEquipmentID"] },
};

/** The 8 bytes from --data (and --today), checked before the card is opened. */
export function cplcPersoData(flags: CplcFlags, now = new Date()): Uint8Array {
  if (flags.data === undefined) throw new UsageError(`Give the ${CPLC_PERSO_LENGTH} bytes with --data HEX: personalizer (2), date YDDD (2), equipment ID (4)`);
  const problem = hexProblem(flags.data);
  if (problem !== undefined) throw new UsageError(`--data '${flags.data}' is not hex: ${problem}`);
  const data = fromHex(flags.data);
  if (data.length !== CPLC_PERSO_LENGTH) throw new UsageError(`--data must be ${CPLC_PERSO_LENGTH} bytes (personalizer 2, date 2, equipment ID 4), got ${data.length}`);
  if (flags.today) data.set(cplcDate(now), 2);
  return data;
}

export async function cplcCommand(ctx: Context, field: CplcPersoField, flags: CplcFlags): Promise<void> {
  const data = cplcPersoData(flags);
  await withSession(ctx, flags, async (session, target) => {
    const cplc = await setCplcPerso(session, field, data);
    const set = cplc.filter((f) => FIELDS[field].names.includes(f.name));
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, field, data: toHex(data), cplc: Object.fromEntries(cplc.map((f) => [f.name, f.hex])) });
    ctx.out(`CPLC ${field === "perso" ? "personalisation" : "pre-personalisation"} set: ${set.map((f) => `${f.name} ${f.hex}`).join(", ")}`);
  });
}
