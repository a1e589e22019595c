/** @jsxImportSource hono/jsx */
/**
 * Server-sent events at /api/events: the reader list (as HTML for the
 * readers page), card insertions and removals, install progress, operation
 * results and trace lines. `?reader=` scopes card events to one page.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { HubEvent } from "../event-hub.ts";
import type { ReaderView } from "../reader-watch.ts";
import { ReaderList } from "../pages/readers.tsx";
import { ReaderStatus } from "../pages/card-page.tsx";
import type { DashboardState } from "../state.ts";

const PING_MS = 15_000;

async function readersPayload(readers: readonly ReaderView[], problem: string | undefined, reader: string | undefined): Promise<string> {
  const html = String(await (<ReaderList readers={readers} problem={problem} />).toString());
  const status = reader === undefined ? undefined : String(await (<ReaderStatus reader={readers.find((r) => r.name === reader)} />).toString());
  return JSON.stringify({ html, status, readers, problem });
}

/** The event stream route. */
export function eventRoutes(s: DashboardState): Hono {
  const app = new Hono();
  app.get("/events", (c) => {
    const reader = c.req.query("reader") || undefined;
    return streamSSE(c, async (stream) => {
      let chain: Promise<void> = Promise.resolve();
      const send = (event: string, data: () => Promise<string> | string) => {
        chain = chain.then(async () => {
          if (!stream.aborted && !stream.closed) await stream.writeSSE({ event, data: await data() });
        }).catch(() => undefined);
      };
      const onEvent = (e: HubEvent) => {
        if (e.event === "readers") {
          const d = e.data as { readers: ReaderView[]; problem?: string };
          send("readers", () => readersPayload(d.readers, d.problem, reader));
        } else if (e.reader === undefined || e.reader === reader) {
          send(e.event, () => JSON.stringify(e.data));
        }
      };
      const unsubscribe = s.hub.subscribe(onEvent);
      send("readers", () => readersPayload(s.watch.readers, s.watch.problem, reader));
      const ping = setInterval(() => {
        chain = chain.then(() => stream.write(": ping\n\n").then(() => undefined)).catch(() => undefined);
      }, PING_MS);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      clearInterval(ping);
      unsubscribe();
    });
  });
  return app;
}
