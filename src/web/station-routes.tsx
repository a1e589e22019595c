/** @jsxImportSource hono/jsx */
/**
 * The station view of the dashboard (`webcard station JOB --ui`): GET
 * /station (the page), GET /api/station (its JSON, which the page's script
 * polls), POST /api/station/pause and /api/station/start (the CSRF guard
 * in front of every route checks their header).
 */
import { Hono } from "hono";
import { headerSecretGuard, type Secrets } from "./security.ts";
import { StationPage } from "./station-page.tsx";
import { stationSnapshot, type StationControl } from "./station-view.ts";

export function stationRoutes(control: StationControl, secrets: Secrets): Hono {
  const app = new Hono();
  app.get("/station", (c) => c.html(<StationPage csrf={secrets.csrf} snapshot={stationSnapshot(control)} />));
  app.get("/api/station", headerSecretGuard(secrets), (c) => c.json({ ok: true, ...stationSnapshot(control) }));
  app.post("/api/station/pause", (c) => {
    control.station.pause();
    return c.json({ ok: true, paused: true });
  });
  app.post("/api/station/start", (c) => {
    control.station.resume();
    return c.json({ ok: true, paused: false });
  });
  return app;
}
