/** Every guard of the dashboard, through app.request(). */
import { describe, expect, test } from "bun:test";
import { cookieName } from "../../src/web/security.ts";
import { HOST, ORIGIN, PORT, capForm, testDashboard } from "./helpers.ts";

const READER = encodeURIComponent("Fake Reader 00 00");

describe("token", () => {
  test("a request without the token is refused with 401 and one line", async () => {
    const { req } = await testDashboard();
    const r = await req("/", { headers: { cookie: "" } });
    expect(r.status).toBe(401);
    const body = (await r.json()) as { error: string };
    expect(body.error).toBe("Missing token: open the URL printed by 'webcard ui'");
  });

  test("a wrong token (cookie, header or query) is refused with 403", async () => {
    const { req } = await testDashboard();
    expect((await req("/", { headers: { cookie: `${cookieName(PORT)}=${"0".repeat(32)}` } })).status).toBe(403);
    expect((await req("/api/readers", { headers: { cookie: "", "x-webcard-token": "nope" } })).status).toBe(403);
    expect((await req("/?token=" + "1".repeat(32), { headers: { cookie: "" } })).status).toBe(403);
  });

  test("the token in the URL sets an HttpOnly SameSite=Strict cookie and is dropped from the address", async () => {
    const { req, dash } = await testDashboard();
    const r = await req(`/?token=${dash.token}`, { headers: { cookie: "" } });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/");
    const cookie = r.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`${cookieName(PORT)}=${dash.token}`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
  });

  test("the token header works without a cookie", async () => {
    const { req, dash } = await testDashboard();
    const r = await req("/api/readers", { headers: { cookie: "", "x-webcard-token": dash.token } });
    expect(r.status).toBe(200);
  });

  test("the assets need the token too", async () => {
    const { req } = await testDashboard();
    expect((await req("/assets/app.js", { headers: { cookie: "" } })).status).toBe(401);
    expect((await req("/assets/app.js")).status).toBe(200);
  });

  test("tokens are 128 random bits, different for each dashboard", async () => {
    const a = await testDashboard();
    const b = await testDashboard();
    expect(a.dash.token).toMatch(/^[0-9a-f]{32}$/);
    expect(a.dash.token).not.toBe(b.dash.token);
    expect(a.dash.csrf).not.toBe(a.dash.token);
  });
});

describe("Host (DNS rebinding)", () => {
  test.each(["evil.example:" + PORT, "127.0.0.1:1", "localhost", "127.0.0.1"])("Host %s is refused", async (host) => {
    const { req } = await testDashboard();
    const r = await req("/api/readers", { headers: { host } });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toContain("is not this dashboard's");
  });

  test.each([HOST, `localhost:${PORT}`])("Host %s is accepted", async (host) => {
    const { req } = await testDashboard();
    expect((await req("/api/readers", { headers: { host } })).status).toBe(200);
  });
});

describe("Host: look-alikes", () => {
  test.each([`127.0.0.1.evil.example:${PORT}`, `localhost.:${PORT}`, `127.0.0.1:${PORT}.evil.example`, `127.0.0.1:0${PORT}`, `[::1]:${PORT}`, `127.1:${PORT}`, `evil.example, 127.0.0.1:${PORT}`])(
    "Host %s is refused",
    async (host) => {
      const { req } = await testDashboard();
      expect((await req("/api/readers", { headers: { host } })).status).toBe(403);
    },
  );

  test("a request without Host (HTTP/1.0) is refused in one line, not a server error", async () => {
    const { dash } = await testDashboard();
    // Through a real server: app.request() always makes a Host from its URL.
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (q) => dash.app.fetch(q) });
    try {
      dash.setPort(server.port!);
      let text = "";
      const socket = await Bun.connect({
        hostname: "127.0.0.1",
        port: server.port!,
        socket: { data: (_s, d) => void (text += new TextDecoder().decode(d)) },
      });
      socket.write(`GET /api/readers HTTP/1.0\r\nX-Webcard-Token: ${dash.token}\r\n\r\n`);
      for (let i = 0; i < 400 && !text.includes("\r\n\r\n{"); i++) await Bun.sleep(5);
      socket.end();
      expect(text.split("\r\n")[0]).toBe("HTTP/1.1 403 Forbidden");
      expect(text).toContain("is not this dashboard's");
    } finally {
      server.stop(true);
    }
  });
});

describe("Origin", () => {
  test("a foreign Origin is refused, even with the token and the CSRF token", async () => {
    const { req } = await testDashboard();
    const r = await req(`/api/cards/${READER}/lock`, {
      method: "POST",
      headers: { origin: "http://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ aid: "0102030405060708" }),
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toContain("http://evil.example");
  });

  test("Origin null is refused outside the card frame", async () => {
    const { req } = await testDashboard();
    expect((await req("/api/readers", { headers: { origin: "null" } })).status).toBe(403);
  });

  test("the dashboard's own Origin is accepted", async () => {
    const { req } = await testDashboard();
    const r = await req(`/api/cards/${READER}/lock`, {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ aid: "0102030405060708" }),
    });
    expect(r.status).toBe(200);
  });
});

describe("Referer and cookies", () => {
  test("a POST without Origin but with a foreign Referer is refused, nothing sent to the card", async () => {
    const { req, fake } = await testDashboard();
    const before = fake.opened;
    const r = await req(`/api/cards/${READER}/lock`, {
      method: "POST",
      headers: { referer: "http://evil.example/page", "content-type": "application/json" },
      body: JSON.stringify({ aid: "0102030405060708" }),
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toBe("Refused: requests from 'http://evil.example' are not allowed");
    expect(fake.opened).toBe(before);
  });

  test("a POST with the dashboard's own Referer is accepted", async () => {
    const { req } = await testDashboard();
    const r = await req(`/api/cards/${READER}/lock`, {
      method: "POST",
      headers: { referer: `${ORIGIN}/cards/x`, "content-type": "application/json" },
      body: JSON.stringify({ aid: "0102030405060708" }),
    });
    expect(r.status).toBe(200);
  });

  test("the right token in the cookie of another port's dashboard is not this one's", async () => {
    const { req, dash } = await testDashboard();
    const r = await req("/api/readers", { headers: { cookie: `${cookieName(PORT + 1)}=${dash.token}` } });
    expect(r.status).toBe(401);
  });
});

describe("CSRF", () => {
  test("a state-changing request without the CSRF token is refused", async () => {
    const { req, fake } = await testDashboard();
    const before = fake.opened;
    const r = await req(`/api/cards/${READER}/delete`, {
      method: "POST",
      headers: { "x-csrf-token": "", "content-type": "application/json" },
      body: JSON.stringify({ aid: "A000000151000000" }),
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toBe("Missing or wrong CSRF token: reload the page and try again");
    expect(fake.opened).toBe(before);
  });

  test("a wrong CSRF token is refused", async () => {
    const { req } = await testDashboard();
    const r = await req("/api/cap/inspect", { method: "POST", headers: { "x-csrf-token": "f".repeat(32) }, body: capForm(100) });
    expect(r.status).toBe(403);
  });
});

describe("uploads", () => {
  test("an upload over 4 MiB gets 413 and one line", async () => {
    const { req } = await testDashboard();
    const r = await req("/api/cap/inspect", { method: "POST", body: capForm(4 * 1024 * 1024 + 1) });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toBe("The file is too large: the limit is 4 MiB (a CAP file is rarely over 100 KB)");
  });

  test("an upload under the limit is read", async () => {
    const { req } = await testDashboard();
    const r = await req("/api/cap/inspect", { method: "POST", body: capForm(1000) });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { cap: { packageAid: string } }).cap.packageAid).toBe("0102030405");
  });
});

describe("headers", () => {
  test("pages get a CSP without inline scripts, no framing, no caching", async () => {
    const { req } = await testDashboard();
    const r = await req("/");
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await req("/api/readers")).headers.get("cache-control")).toBe("no-store");
  });

  test("the page has no inline script", async () => {
    const { req } = await testDashboard();
    const html = await (await req(`/cards/${READER}`)).text();
    expect(html).toContain('<script src="/assets/app.js" defer="">');
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>|\son\w+=/);
  });
});

describe("reads that talk to a card (no GET of another page's tag can cause one)", () => {
  test("the card's facts and panel need a secret in a header: the cookie alone is refused, and the card is not opened", async () => {
    const { req, fake } = await testDashboard();
    const opened = fake.opened;
    for (const path of [`/api/cards/${READER}`, `/cards/${READER}/panel`]) {
      const r = await req(path);
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
      expect(((await r.json()) as { error: string }).error).toBe(
        "Refused: reading a card needs the dashboard's X-CSRF-Token header: open the card from the dashboard's page",
      );
    }
    expect(fake.opened).toBe(opened);
  });

  test("with the page's CSRF header, or the session token in a header, they read the card", async () => {
    const { req, fake, dash } = await testDashboard();
    const opened = fake.opened;
    expect((await req(`/api/cards/${READER}`, { headers: { "x-csrf-token": dash.csrf } })).status).toBe(200);
    expect((await req(`/cards/${READER}/panel`, { headers: { cookie: "", "x-webcard-token": dash.token } })).status).toBe(200);
    expect((await req(`/cards/${READER}/panel`, { headers: { "x-csrf-token": "0".repeat(32) } })).status).toBe(403);
    expect(fake.opened).toBe(opened + 2);
  });

  test("no page GET opens the card: the card page comes without its facts, for its script to fetch", async () => {
    const { req, fake } = await testDashboard();
    const opened = fake.opened;
    const html = await (await req(`/cards/${READER}`)).text();
    expect(html).toContain('data-state="loading"');
    await req("/");
    await req("/assets/app.js");
    expect(fake.opened).toBe(opened);
  });
});

describe("Sec-Fetch-Site", () => {
  const from = (site: string, mode: string, dest: string) => ({ "sec-fetch-site": site, "sec-fetch-mode": mode, "sec-fetch-dest": dest });

  test.each([
    ["same-site", "no-cors", "image", `/api/cards/${READER}`],
    ["same-site", "no-cors", "script", "/assets/app.js"],
    ["cross-site", "cors", "empty", "/api/readers"],
    ["same-site", "navigate", "iframe", `/api/cards/${READER}/lock`],
  ])("a %s %s request (%s) for %s is refused", async (site, mode, dest, path) => {
    const { req, fake, dash } = await testDashboard();
    const opened = fake.opened;
    const method = path.endsWith("/lock") ? "POST" : "GET";
    const r = await req(path, { method, headers: { ...from(site, mode, dest), "x-csrf-token": dash.csrf, "content-type": "application/json" }, ...(method === "POST" ? { body: "{}" } : {}) });
    expect(r.status).toBe(403);
    expect(fake.opened).toBe(opened);
  });

  test("a navigation from another page, and the dashboard's own requests, pass", async () => {
    const { req } = await testDashboard();
    expect((await req("/", { headers: from("cross-site", "navigate", "document") })).status).toBe(200);
    expect((await req(`/cards/${READER}`, { headers: from("same-site", "navigate", "document") })).status).toBe(200);
    expect((await req("/api/readers", { headers: from("same-origin", "cors", "empty") })).status).toBe(200);
    expect((await req("/", { headers: from("none", "navigate", "document") })).status).toBe(200);
  });
});
