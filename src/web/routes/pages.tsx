/** @jsxImportSource hono/jsx */
/** The HTML pages: readers, a card, the card block fragment, and the embedded assets. */
import { Hono } from "hono";
import { clientScript } from "../assets/client.ts";
import { STYLE_CSS } from "../assets/style.ts";
import type { CardOverview } from "../deps.ts";
import { keysSummary } from "../key-store.ts";
import { CardPage } from "../pages/card-page.tsx";
import { CardPanel } from "../pages/card-panel.tsx";
import { ReadersPage } from "../pages/readers.tsx";
import type { DashboardState } from "../state.ts";
import { readOverview } from "./api.ts";
import { headerSecretGuard } from "../security.ts";
import { TransportError, errorLine } from "../../stack/errors.ts";

/** How long the first page waits for the first reader listing (PC/SC may be slow to answer). */
const FIRST_LIST_MS = 3000;

/** Read the card's facts for a page; on busy, the last ones read, marked. */
async function facts(s: DashboardState, reader: string): Promise<{ overview?: CardOverview; error?: string }> {
  const r = await s.reader(reader);
  if (!r?.cardPresent) return {};
  try {
    return { overview: await readOverview(s, reader) };
  } catch (e) {
    const last = s.lastOverview.get(reader);
    if (e instanceof TransportError && e.kind === "busy" && last) {
      return { overview: last, error: `${errorLine(e)} (showing what was read before)` };
    }
    return { error: errorLine(e) };
  }
}

/** The page routes. */
export function pageRoutes(s: DashboardState): Hono {
  const app = new Hono();

  app.get("/assets/app.js", async (c) => c.body(await clientScript(), 200, { "Content-Type": "text/javascript; charset=utf-8" }));
  app.get("/assets/style.css", (c) => c.body(STYLE_CSS, 200, { "Content-Type": "text/css; charset=utf-8" }));
  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.get("/", async (c) => {
    await s.watch.settled(FIRST_LIST_MS);
    return c.html(<ReadersPage csrf={s.secrets.csrf} readers={s.watch.readers} problem={s.watch.problem} />);
  });

  // The page itself does not touch the card: its script fetches the panel (below) with the header secret.
  app.get("/cards/:reader", async (c) => {
    const name = c.req.param("reader");
    const reader = await s.reader(name);
    const keys = s.keys.get(name);
    const kcv = keys ? keysSummary(keys) : undefined;
    return c.html(
      <CardPage
        csrf={s.secrets.csrf}
        name={name}
        reader={reader}
        loading
        cardWebBase={s.cardWebBase(name)}
        trace={s.trace.lines(name)}
        kcv={kcv}
        readers={s.watch.readers}
      />,
      reader ? 200 : 404,
    );
  });

  app.get("/cards/:reader/panel", headerSecretGuard(s.secrets), async (c) => {
    const name = c.req.param("reader");
    const reader = await s.reader(name);
    const f = await facts(s, name);
    return c.html(<CardPanel reader={reader} overview={f.overview} error={f.error} />);
  });

  return app;
}
