/**
 * The local dashboard as a Hono app. The caller (the CLI) supplies readers,
 * card connections and card operations (deps.ts); this file puts the
 * guards in front of every route and hands back the app and its secrets.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { DashboardDeps } from "./deps.ts";
import { apiRoutes } from "./routes/api.ts";
import { gpAdminRoutes } from "./routes/gp-admin.ts";
import { cardWebRoutes } from "./routes/card-web.ts";
import { eventRoutes } from "./routes/events.tsx";
import { pageRoutes } from "./routes/pages.tsx";
import { stationRoutes } from "./station-routes.tsx";
import type { StationControl } from "./station-view.ts";
import { csrfGuard, fetchSiteGuard, hostGuard, originGuard, randomToken, securityHeaders, tokenGuard, type Secrets } from "./security.ts";
import { DashboardState, MAX_UPLOAD_BYTES } from "./state.ts";

export interface DashboardOptions {
  /** The port it will listen on; 0 until known (set it with `setPort`). */
  port?: number;
  /** Fixed secrets, for tests; random (128 bits each) otherwise. */
  token?: string;
  csrf?: string;
  frame?: string;
  /** A provisioning station to show at /station (webcard station --ui). */
  station?: StationControl;
}

export interface Dashboard {
  readonly app: Hono;
  /** The session token (goes in the printed URL only). */
  readonly token: string;
  readonly csrf: string;
  readonly state: DashboardState;
  /** Set the port once the server listens (Host and Origin checks use it). */
  setPort(port: number): void;
  /** Start following the reader monitor. */
  start(): void;
  /** Stop following the monitor and forget the keys. */
  close(): Promise<void>;
}

/** Build the dashboard app around `deps`. */
export function createDashboard(deps: DashboardDeps, options: DashboardOptions = {}): Dashboard {
  let port = options.port ?? 0;
  const secrets: Secrets = {
    token: options.token ?? randomToken(),
    csrf: options.csrf ?? randomToken(),
    frame: options.frame ?? randomToken(),
    port: () => port,
  };
  const state = new DashboardState(deps, secrets);
  const app = new Hono();

  app.use("*", securityHeaders());
  app.use("*", hostGuard(secrets));
  app.use("*", originGuard(secrets));
  app.use("*", fetchSiteGuard());
  app.use("*", tokenGuard(secrets));
  app.use("*", csrfGuard(secrets));
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_UPLOAD_BYTES,
      onError: (c) => c.json({ ok: false, error: "The file is too large: the limit is 4 MiB (a CAP file is rarely over 100 KB)" }, 413),
    }),
  );

  app.route("/api", apiRoutes(state));
  app.route("/api", gpAdminRoutes(state));
  app.route("/api", eventRoutes(state));
  if (options.station) app.route("/", stationRoutes(options.station, secrets));
  app.route("/", cardWebRoutes(state));
  app.route("/", pageRoutes(state));
  app.notFound((c) => c.json({ ok: false, error: `Not found: ${c.req.path}` }, 404));
  app.onError((e, c) => c.json({ ok: false, error: e.message || "Internal error" }, 500));

  return {
    app,
    token: secrets.token,
    csrf: secrets.csrf,
    state,
    setPort: (p) => {
      port = p;
    },
    start: () => state.watch.start(),
    close: async () => {
      await state.watch.stop();
      for (const r of state.watch.readers) state.keys.forget(r.name);
    },
  };
}
