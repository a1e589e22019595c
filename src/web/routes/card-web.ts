/**
 * The card's own web pages, through the link: /card-web/<frame>/<reader>/<path>
 * becomes an HTTP request to the card (cardFetch). The answer is shown in
 * a sandboxed frame; its CSP (security.ts) forbids scripts and gives it an
 * opaque origin, so card content can never act as the dashboard. Only the
 * content type and body pass; cookies and other headers of the card stop here.
 */
import { Hono } from "hono";
import { errorBody, errorStatus } from "../errors.ts";
import type { DashboardState } from "../state.ts";

/**
 * The card's pages link with absolute paths ("/registry"); in the frame
 * they must stay under the proxy route, so such URLs get its base.
 */
function rebase(html: Uint8Array<ArrayBuffer>, base: string): Promise<Uint8Array<ArrayBuffer>> {
  const fix = (attr: string) => ({
    element(el: HTMLRewriterTypes.Element) {
      const v = el.getAttribute(attr);
      if (v?.startsWith("/") && !v.startsWith("//")) el.setAttribute(attr, base + v.slice(1));
    },
  });
  const rewriter = new HTMLRewriter().on("a[href]", fix("href")).on("link[href]", fix("href")).on("img[src]", fix("src")).on("form[action]", fix("action"));
  return rewriter.transform(new Response(html)).bytes();
}

const PASSED_REQUEST_HEADERS = ["content-type", "accept", "accept-language"];
const PASSED_RESPONSE_HEADERS = ["content-type", "content-language", "last-modified"];

/** The proxy route. */
export function cardWebRoutes(s: DashboardState): Hono {
  const app = new Hono();
  app.all("/card-web/:frame/:reader/*", async (c) => {
    const reader = c.req.param("reader");
    const base = s.cardWebBase(reader);
    const url = new URL(c.req.url);
    // The path after the reader segment, as the browser sent it (still encoded).
    const prefix = `/card-web/${c.req.param("frame")}/${encodeURIComponent(reader)}`;
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || "/" : "/";
    const headers = new Headers();
    for (const h of PASSED_REQUEST_HEADERS) {
      const v = c.req.header(h);
      if (v) headers.set(h, v);
    }
    const method = c.req.method;
    const body = method === "GET" || method === "HEAD" ? undefined : await c.req.arrayBuffer();
    const request = new Request(`http://card${path}${url.search}`, { method, headers, body });
    try {
      const { status, out, bytes } = await s.ops.run(reader, "serving a card page", async (ctx) => {
        const res = await s.deps.ops.cardFetch(ctx.transport, request);
        const out = new Headers();
        for (const h of PASSED_RESPONSE_HEADERS) {
          const v = res.headers.get(h);
          if (v) out.set(h, v);
        }
        const location = res.headers.get("location");
        if (location?.startsWith("/")) out.set("location", base + location.slice(1));
        // Read the whole body while the card is still open.
        let bytes: Uint8Array<ArrayBuffer> = new Uint8Array(await res.arrayBuffer());
        if (out.get("content-type")?.startsWith("text/html")) bytes = await rebase(bytes, base);
        return { status: res.status, out, bytes };
      });
      return new Response(method === "HEAD" ? null : bytes, { status, headers: out });
    } catch (e) {
      const b = errorBody(e);
      return c.text(`The card did not serve this page: ${b.error}`, errorStatus(e));
    }
  });
  return app;
}
