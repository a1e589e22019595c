/**
 * Serve a dashboard on 127.0.0.1 only. Port 0 picks a free one; the URL
 * returned carries the token (print it, never log it elsewhere).
 */
import { createDashboard, type Dashboard, type DashboardOptions } from "./app.ts";
import type { DashboardDeps } from "./deps.ts";

export interface Served {
  dashboard: Dashboard;
  port: number;
  /** The URL to open, with the token. */
  url: string;
  stop(): Promise<void>;
}

/** Start the dashboard's HTTP server. */
export function serveDashboard(deps: DashboardDeps, options: { port?: number } & Pick<DashboardOptions, "station"> = {}): Served {
  const dashboard = createDashboard(deps, options.station ? { station: options.station } : {});
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    // Event streams stay open; they ping every 15 s.
    idleTimeout: 60,
    fetch: dashboard.app.fetch,
  });
  const port = server.port!;
  dashboard.setPort(port);
  dashboard.start();
  return {
    dashboard,
    port,
    url: `http://127.0.0.1:${port}/?token=${dashboard.token}`,
    stop: async () => {
      await dashboard.close();
      await server.stop(true);
    },
  };
}
