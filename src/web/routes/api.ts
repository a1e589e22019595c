/**
 * The JSON API: readers, a card's facts, CAP inspection, install (in the
 * background, progress as events), delete, lock, unlock, session keys.
 * Every card operation goes through the per-card lock: a second one gets
 * 409 busy.
 */
import { Hono, type Context } from "hono";
import { toHex } from "../../stack/bytes.ts";
import { UsageError } from "../../stack/errors.ts";
import type { CardOverview, InstallRequest } from "../deps.ts";
import { errorBody, errorStatus } from "../errors.ts";
import { parseInstances } from "../install-form.ts";
import { keysFromForm, keysSummary } from "../key-store.ts";
import { headerSecretGuard } from "../security.ts";
import type { DashboardState } from "../state.ts";

/** JSON form of an overview (bytes as hex). */
export function overviewJson(o: CardOverview): unknown {
  return {
    ...o,
    registry: o.registry?.map((e) => ({
      kind: e.kind,
      aid: toHex(e.aid),
      lifecycle: e.lifecycle,
      privileges: e.privileges,
      loadFileAid: e.loadFileAid && toHex(e.loadFileAid),
      domainAid: e.domainAid && toHex(e.domainAid),
      version: e.version && toHex(e.version),
      modules: e.modules.map(toHex),
    })),
  };
}

export function fail(c: Context, error: unknown): Response {
  return c.json(errorBody(error), errorStatus(error));
}

/** The uploaded CAP file of a multipart form, as bytes. */
async function capFrom(form: Record<string, unknown>): Promise<Uint8Array> {
  const file = form.cap;
  if (!(file instanceof File)) throw new UsageError("No CAP file in the form: choose a .cap file");
  if (file.size === 0) throw new UsageError(`The file '${file.name}' is empty: choose a CAP file`);
  return new Uint8Array(await file.arrayBuffer());
}

/** The request's form; a body that is not a readable form is bad input (400), not a server error. */
async function formBody(c: Context): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody();
  } catch (error) {
    throw new UsageError("The request body is not a readable form: send the CAP file as multipart/form-data", { cause: error });
  }
}

export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  try {
    const v: unknown = await c.req.json();
    if (v && typeof v === "object") return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new UsageError("The request body is not a JSON object");
}

export async function knownReader(s: DashboardState, name: string): Promise<void> {
  const r = await s.reader(name);
  if (!r) throw new UsageError(`No reader named '${name}': choose one on the readers page`);
}

/** Read a card's facts under its lock, remembering them for busy times. */
export async function readOverview(s: DashboardState, reader: string): Promise<CardOverview> {
  const o = await s.ops.run(reader, "reading the card", (ctx) => s.deps.ops.overview(ctx));
  s.lastOverview.set(reader, o);
  return o;
}

/** The API routes, mounted at /api. */
export function apiRoutes(s: DashboardState): Hono {
  const api = new Hono();

  api.get("/readers", (c) => c.json({ ok: true, readers: s.watch.readers, problem: s.watch.problem }));

  // Reading the card is no side effect a tag on another page may cause: a header secret, not the cookie alone.
  api.get("/cards/:reader", headerSecretGuard(s.secrets), async (c) => {
    try {
      await knownReader(s, c.req.param("reader"));
      return c.json({ ok: true, card: overviewJson(await readOverview(s, c.req.param("reader"))) });
    } catch (e) {
      return fail(c, e);
    }
  });

  api.post("/cap/inspect", async (c) => {
    try {
      const cap = await capFrom(await formBody(c));
      return c.json({ ok: true, cap: await s.deps.ops.inspectCap(cap) });
    } catch (e) {
      return fail(c, e);
    }
  });

  api.post("/cards/:reader/install", async (c) => {
    const reader = c.req.param("reader");
    try {
      await knownReader(s, reader);
      const form = await formBody(c);
      const cap = await capFrom(form);
      const summary = await s.deps.ops.inspectCap(cap);
      const via = form.via === "web" || form.via === "bridge" || form.via === "gp" ? form.via : "auto";
      const instances = parseInstances(typeof form.instances === "string" ? form.instances : undefined);
      const request: InstallRequest = { cap, instances, via, replace: form.replace === "yes" };
      const op = s.ops.start(reader, `installing ${summary.packageAid}`, async (ctx, id) => {
        const t0 = performance.now();
        return s.deps.ops.install(ctx, request, (p) => {
          const seconds = Math.max((performance.now() - t0) / 1000, 1e-3);
          const rate = "bytes" in p ? p.bytes / seconds : undefined;
          s.hub.publish({ event: "progress", reader, data: { op: id, ...p, ...(rate === undefined ? {} : { rate }) } });
        });
      });
      return c.json({ ok: true, op }, 202);
    } catch (e) {
      return fail(c, e);
    }
  });

  api.get("/ops/:id", (c) => c.json({ ok: true, result: s.ops.result(c.req.param("id")) ?? null }));

  api.post("/cards/:reader/delete", async (c) => {
    const reader = c.req.param("reader");
    try {
      await knownReader(s, reader);
      const body = await jsonBody(c);
      const aid = String(body.aid ?? "");
      const message = await s.ops.run(reader, `deleting ${aid}`, (ctx) => s.deps.ops.remove(ctx, aid, body.related === true));
      return c.json({ ok: true, message });
    } catch (e) {
      return fail(c, e);
    }
  });

  for (const action of ["lock", "unlock"] as const) {
    api.post(`/cards/:reader/${action}`, async (c) => {
      const reader = c.req.param("reader");
      try {
        await knownReader(s, reader);
        const aid = String((await jsonBody(c)).aid ?? "");
        const message = await s.ops.run(reader, `${action}ing ${aid}`, (ctx) => s.deps.ops.setLocked(ctx, aid, action === "lock"));
        return c.json({ ok: true, message });
      } catch (e) {
        return fail(c, e);
      }
    });
  }

  api.post("/cards/:reader/keys", async (c) => {
    const reader = c.req.param("reader");
    try {
      const body = await jsonBody(c);
      const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : undefined);
      const keys = keysFromForm({ key: str("key"), mac: str("mac"), dek: str("dek"), kdf: str("kdf"), scp: str("scp"), s16: str("s16"), oceKey: str("oceKey"), oceCert: str("oceCert"), caKey: str("caKey") });
      s.keys.forget(reader);
      s.keys.set(reader, keys);
      // Only check values and fingerprints go back, never a key.
      return c.json({ ok: true, kcv: keysSummary(keys) });
    } catch (e) {
      return fail(c, e);
    }
  });

  api.post("/cards/:reader/trace/clear", (c) => {
    s.trace.clear(c.req.param("reader"));
    return c.json({ ok: true });
  });

  return api;
}
