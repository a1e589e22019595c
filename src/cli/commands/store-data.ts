/**
 * `webcard store-data AID --data HEX | --file FILE [--dgi | --ber-tlv]
 * [--encrypted]`: personalisation by STORE DATA (GP 2.3.1 section 11.11)
 * through the session's security domain; AID is an application
 * (INSTALL [for personalization] first) or the security domain itself.
 */
import { readFileSync, statSync } from "node:fs";
import { equal, fromHex, isHex, toHex } from "../../stack/bytes.ts";
import { UsageError } from "../../stack/errors.ts";
import { splitDgis } from "../../stack/gp/store-data.ts";
import { personalize } from "../../host/gp/domains.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { aidFrom } from "../option-values.ts";
import { withSession } from "../session.ts";

export interface StoreDataFlags extends KeyFlags {
  data?: string;
  file?: string;
  dgi?: boolean;
  berTlv?: boolean;
  encrypted?: boolean;
}

/** Largest personalisation file: 256 blocks of 255 bytes. */
const MAX_DATA = 256 * 255;

function dataFrom(flags: StoreDataFlags): Uint8Array {
  if ((flags.data === undefined) === (flags.file === undefined)) throw new UsageError("Give the data with --data HEX or --file FILE (one of them)");
  if (flags.data !== undefined) {
    const text = flags.data.replace(/\s+/g, "");
    if (!isHex(text) || text.length === 0) throw new UsageError("--data must be hex bytes");
    return fromHex(text);
  }
  const path = flags.file!;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new UsageError(`--file ${path}: cannot read the file`);
  }
  if (size > MAX_DATA * 2 + 1024) throw new UsageError(`--file ${path}: ${size} bytes is more than STORE DATA can carry (${MAX_DATA})`);
  const raw = readFileSync(path);
  const text = raw.toString("utf8").replace(/\s+/g, "");
  // A file of hex digits is read as hex; anything else as bytes.
  return isHex(text) && text.length > 0 ? fromHex(text) : new Uint8Array(raw);
}

export async function storeDataCommand(ctx: Context, aidText: string, flags: StoreDataFlags): Promise<void> {
  const aid = aidFrom(aidText);
  if (flags.dgi && flags.berTlv) throw new UsageError("--dgi and --ber-tlv exclude each other");
  const data = dataFrom(flags);
  if (data.length > MAX_DATA) throw new UsageError(`${data.length} bytes is more than STORE DATA can carry (${MAX_DATA})`);
  let parts: Uint8Array[] = [data];
  if (flags.dgi) {
    try {
      // One DGI per block where it fits, as EMV CPS asks.
      parts = splitDgis(data).map((d) => d.bytes);
    } catch (error) {
      throw new UsageError(`The data is not DGI-formatted: ${(error as Error).message}`);
    }
  }
  await withSession(ctx, flags, async (session, target) => {
    const toDomain = equal(aid, session.isd);
    const answer = await personalize(session, toDomain ? undefined : aid, parts, {
      format: flags.dgi ? "dgi" : flags.berTlv ? "ber-tlv" : "none",
      encryption: flags.encrypted ? "application" : "none",
    });
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, to: toHex(aid), bytes: data.length, response: toHex(answer) });
    ctx.out(`Stored ${data.length} bytes in ${toDomain ? "security domain" : "application"} ${toHex(aid)}`);
  });
}
