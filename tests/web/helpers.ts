/** Requests to a dashboard built around fakes, through `app.request()` (no sockets). */
import { createDashboard, type Dashboard } from "../../src/web/app.ts";
import { cookieName } from "../../src/web/security.ts";
import { makeFake, type Fake } from "./fakes.ts";

export const PORT = 47123;
export const HOST = `127.0.0.1:${PORT}`;
export const ORIGIN = `http://${HOST}`;

export interface TestDashboard {
  fake: Fake;
  dash: Dashboard;
  /** A request as the dashboard's own page makes it: Host, token cookie, and CSRF on writes. */
  req(path: string, init?: RequestInit & { raw?: boolean }): Promise<Response>;
}

/** A dashboard on fakes, its reader list read. */
export async function testDashboard(): Promise<TestDashboard> {
  const fake = makeFake();
  const dash = createDashboard(fake.deps, { port: PORT });
  await dash.state.watch.refresh();
  const req = (path: string, init: RequestInit & { raw?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (!init.raw) {
      if (!headers.has("host")) headers.set("host", HOST);
      if (!headers.has("cookie")) headers.set("cookie", `${cookieName(PORT)}=${dash.token}`);
      const method = (init.method ?? "GET").toUpperCase();
      if (method !== "GET" && !headers.has("x-csrf-token")) headers.set("x-csrf-token", dash.csrf);
    }
    return Promise.resolve(dash.app.request(`http://${HOST}${path}`, { ...init, headers }));
  };
  return { fake, dash, req };
}

/** Requests to `dash` on `port` as its own card page makes them: Host, token cookie and the CSRF header on every request. */
export function pageRequests(dash: Dashboard, port: number): (path: string, init?: RequestInit) => Promise<Response> {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("host", `127.0.0.1:${port}`);
    headers.set("cookie", `${cookieName(port)}=${dash.token}`);
    headers.set("x-csrf-token", dash.csrf);
    return Promise.resolve(dash.app.request(`http://127.0.0.1:${port}${path}`, { ...init, headers }));
  };
}

/** A multipart form with a CAP-like upload of `size` bytes (starts with the ZIP signature). */
export function capForm(size: number, instances?: unknown[]): FormData {
  const bytes = new Uint8Array(size);
  bytes.set([0x50, 0x4b, 0x03, 0x04]);
  const fd = new FormData();
  fd.append("cap", new File([bytes], "applet.cap", { type: "application/octet-stream" }));
  if (instances) fd.append("instances", JSON.stringify(instances));
  return fd;
}
