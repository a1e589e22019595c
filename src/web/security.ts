/**
 * The dashboard's guards, one middleware each, applied to every request:
 * - Host must be 127.0.0.1:<port> or localhost:<port>: a page on another
 *   site whose name resolves to 127.0.0.1 (DNS rebinding) is refused.
 * - Origin, when the browser sends one, must be the dashboard's own.
 * - The secret token: `?token=` on the first visit (then an HttpOnly,
 *   SameSite=Strict cookie and a redirect that drops it from the address),
 *   the cookie, or the `X-Webcard-Token` header.
 * - State-changing requests carry the CSRF token in `X-CSRF-Token`.
 * - Reads that talk to a card (`GET /api/cards/R`, the card panel) carry a
 *   secret in a header too, never the cookie alone: the cookie is
 *   SameSite=Strict, but a page on another port of 127.0.0.1 is the same
 *   site, and its `<img>` or `<script>` tags would send it.
 * - A browser's subresource request from another site or another port
 *   (`Sec-Fetch-Site` cross-site or same-site, not a navigation) is refused
 *   outright: nothing of the dashboard is meant to be embedded elsewhere.
 * - No GET changes a card or the dashboard: pages render without reading
 *   the card; the page's script fetches the card panel with its header.
 * - Security headers on every response; nothing is cached but the assets.
 * The card's own pages (`/card-web/<frame token>/...`) are the one
 * exception: a sandboxed frame has an opaque origin and no cookies, so a
 * separate path secret authorises that route and nothing else.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { equalConstantTime, toHex } from "../stack/bytes.ts";

/** The secrets and the port the guards check against. */
export interface Secrets {
  /** Session token (in the printed URL). */
  token: string;
  /** CSRF token (in every page, sent back in a header). */
  csrf: string;
  /** Path secret of the card-content frame. */
  frame: string;
  /** The listening port (known once the server runs). */
  port(): number;
}

export const TOKEN_HEADER = "x-webcard-token";
export const CSRF_HEADER = "x-csrf-token";
export const CARD_WEB_PREFIX = "/card-web/";

/** Cookie name per port: cookies ignore ports, two dashboards must not clobber each other. */
export function cookieName(port: number): string {
  return `webcard-token-${port}`;
}

/** 128 random bits as 32 hex digits. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return toHex(bytes).toLowerCase();
}

const enc = new TextEncoder();

/** Compare two secrets in constant time. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return equalConstantTime(enc.encode(given), enc.encode(expected));
}

function refuse(c: Context, status: 400 | 401 | 403, message: string): Response {
  return c.json({ ok: false, error: message }, status);
}

function ownHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function isCardWeb(path: string): boolean {
  return path.startsWith(CARD_WEB_PREFIX);
}

/** Refuse a Host that is not 127.0.0.1:<port> or localhost:<port>. */
export function hostGuard(secrets: Secrets): MiddlewareHandler {
  return async (c, next) => {
    // No fallback to the request URL: without a Host header (HTTP/1.0) it is not even a valid URL.
    const host = (c.req.header("host") ?? "").toLowerCase();
    if (!ownHosts(secrets.port()).includes(host)) {
      return refuse(c, 403, `Refused: Host '${host}' is not this dashboard's: open it at http://127.0.0.1:${secrets.port()}/`);
    }
    await next();
  };
}

/** The origin part of a Referer ("http://host:port"), or undefined when it is not a URL. */
function refererOrigin(referer: string): string | undefined {
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

/**
 * Refuse an Origin other than the dashboard's own ("null" only for the
 * sandboxed card frame). A state-changing request without Origin but with a
 * Referer from elsewhere is refused too (the dashboard's pages send none:
 * Referrer-Policy no-referrer).
 */
export function originGuard(secrets: Secrets): MiddlewareHandler {
  return async (c, next) => {
    const own = ownHosts(secrets.port()).map((h) => `http://${h}`);
    const origin = c.req.header("origin");
    if (origin !== undefined) {
      const allowed = own.includes(origin) || (origin === "null" && isCardWeb(c.req.path));
      if (!allowed) return refuse(c, 403, `Refused: requests from '${origin}' are not allowed`);
    } else if (!SAFE_METHODS.has(c.req.method)) {
      const referer = c.req.header("referer");
      if (referer !== undefined) {
        const from = refererOrigin(referer);
        if (from === undefined || !own.includes(from)) return refuse(c, 403, `Refused: requests from '${from ?? referer}' are not allowed`);
      }
    }
    await next();
  };
}

/** Require the session token (or, on the card frame route only, the frame secret). */
export function tokenGuard(secrets: Secrets): MiddlewareHandler {
  return async (c, next) => {
    if (isCardWeb(c.req.path)) {
      const frame = c.req.path.slice(CARD_WEB_PREFIX.length).split("/")[0];
      if (!sameSecret(frame, secrets.frame)) return refuse(c, 403, "Refused: wrong card frame address");
      return next();
    }
    const name = cookieName(secrets.port());
    const query = c.req.query("token");
    if (query !== undefined && c.req.method === "GET") {
      if (!sameSecret(query, secrets.token)) return refuse(c, 403, "Wrong token: open the URL printed by 'webcard ui'");
      setCookie(c, name, secrets.token, { httpOnly: true, sameSite: "Strict", path: "/" });
      // Drop the token from the address bar and history.
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      return c.redirect(url.pathname + url.search, 303);
    }
    const given = c.req.header(TOKEN_HEADER) ?? getCookie(c, name);
    if (given === undefined) return refuse(c, 401, "Missing token: open the URL printed by 'webcard ui'");
    if (!sameSecret(given, secrets.token)) return refuse(c, 403, "Wrong token: open the URL printed by 'webcard ui'");
    await next();
  };
}

/**
 * Refuse what a browser fetches for a page of another site or another port
 * (Sec-Fetch-Site "cross-site" or "same-site") unless it is a top-level
 * navigation, which cannot read the answer and, GETs having no side effects,
 * changes nothing. The card frame is exempt: its opaque origin makes even its
 * own requests cross-site, and its route has its own secret.
 */
export function fetchSiteGuard(): MiddlewareHandler {
  return async (c, next) => {
    const site = c.req.header("sec-fetch-site");
    const foreign = site === "cross-site" || site === "same-site";
    if (foreign && !isCardWeb(c.req.path) && !(c.req.header("sec-fetch-mode") === "navigate" && SAFE_METHODS.has(c.req.method))) {
      return refuse(c, 403, "Refused: the dashboard answers its own pages only");
    }
    await next();
  };
}

/**
 * For reads that talk to a card: the page's CSRF token (X-CSRF-Token), or the
 * session token (X-Webcard-Token), in a header. A tag on another page can
 * send the cookie, never a header.
 */
export function headerSecretGuard(secrets: Secrets): MiddlewareHandler {
  return async (c, next) => {
    const given = sameSecret(c.req.header(CSRF_HEADER), secrets.csrf) || sameSecret(c.req.header(TOKEN_HEADER), secrets.token);
    if (!given) return refuse(c, 403, "Refused: reading a card needs the dashboard's X-CSRF-Token header: open the card from the dashboard's page");
    await next();
  };
}

/** Require the CSRF token on state-changing requests. */
export function csrfGuard(secrets: Secrets): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && !isCardWeb(c.req.path)) {
      if (!sameSecret(c.req.header(CSRF_HEADER), secrets.csrf)) {
        return refuse(c, 403, "Missing or wrong CSRF token: reload the page and try again");
      }
    }
    await next();
  };
}

/** The dashboard's own pages: scripts and styles from its origin only, never framed. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The card's pages: sandboxed by the header itself (no scripts, opaque
 * origin) even if opened outside their frame; framed by the dashboard only.
 */
export const CARD_CSP = [
  "sandbox allow-forms",
  "default-src 'none'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
].join("; ");

/** Security headers and caching policy on every response. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    const card = isCardWeb(c.req.path);
    h.set("Content-Security-Policy", card ? CARD_CSP : DASHBOARD_CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", card ? "SAMEORIGIN" : "DENY");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    h.set("Cross-Origin-Resource-Policy", "same-origin");
    if (c.req.path.startsWith("/assets/") && c.res.status === 200) {
      h.set("Cache-Control", "private, max-age=600");
    } else {
      h.set("Cache-Control", "no-store");
    }
  };
}
