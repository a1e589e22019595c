/** `webcard sim --profiles`: the card profiles, with their card, maker and sources (docs/profiles.md). */
import type { Context } from "../context.ts";
import { shippedProfiles } from "../../card/profiles/catalogue.ts";

export function listProfiles(ctx: Context): void {
  const all = shippedProfiles();
  if (ctx.json) {
    ctx.printJson(all.map((p) => ({ name: p.name, title: p.title, maker: p.maker, protocol: p.protocol, isd: p.isd.aid, source: p.source })));
    return;
  }
  const width = Math.max(...all.map((p) => p.name.length));
  for (const p of all) {
    ctx.out(`${p.name.padEnd(width)}  ${p.title} (${p.maker}), ${p.protocol}, ISD ${p.isd.aid}${p.name === "gp23" ? ", the default" : ""}`);
    ctx.out(`${" ".repeat(width)}  source: ${p.source}`);
  }
}
