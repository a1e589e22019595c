/**
 * The card administration routes (gp-admin-ops.ts): create a security
 * domain, STORE DATA, card lock and unlock. Each runs under the card's lock
 * like install and delete; the page asks for a confirmation first.
 */
import { Hono, type Context } from "hono";
import type { OpContext } from "../deps.ts";
import { cardLockOp, createDomainOp, storeDataOp } from "../gp-admin-ops.ts";
import type { DashboardState } from "../state.ts";
import { fail, jsonBody, knownReader } from "./api.ts";

const text = (v: unknown) => (typeof v === "string" ? v : "");

export function gpAdminRoutes(s: DashboardState): Hono {
  const api = new Hono();
  const route = (path: string, label: (body: Record<string, unknown>) => string, op: (ctx: OpContext, body: Record<string, unknown>) => Promise<string>) =>
    api.post(`/cards/:reader/${path}`, async (c: Context) => {
      const reader = c.req.param("reader")!;
      try {
        await knownReader(s, reader);
        const body = await jsonBody(c);
        const message = await s.ops.run(reader, label(body), (ctx) => op(ctx, body));
        return c.json({ ok: true, message });
      } catch (e) {
        return fail(c, e);
      }
    });
  route("domain-create", (b) => `creating security domain ${text(b.aid)}`, (ctx, b) => createDomainOp(ctx, text(b.aid), text(b.privileges)));
  route("store-data", (b) => `storing data in ${text(b.aid)}`, (ctx, b) => storeDataOp(ctx, text(b.aid), text(b.data), text(b.format) || "ber-tlv"));
  route("card-lock", () => "locking the card", (ctx) => cardLockOp(ctx, true));
  route("card-unlock", () => "unlocking the card", (ctx) => cardLockOp(ctx, false));
  return api;
}
