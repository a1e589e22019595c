import { describe, expect, test } from "bun:test";
import { WebcardError } from "../errors.ts";
import type { LoaderPort, WebEnv } from "./port.ts";
import { createCardWebApp, WEB_LIMITS } from "./server.ts";

function port(facts: () => never | ReturnType<LoaderPort["facts"]>): LoaderPort {
  const none = async () => undefined;
  return { facts, registry: async () => ({ isd: "", applications: [], loadFiles: [] }), installForLoad: none, load: none, install: none, delete: none };
}

const okFacts = async () => ({ capVersions: ["2.2"], freeMemory: 1000, blockSize: 255, where: "card" as const });
const env = (p: LoaderPort, authenticated = true, deliver?: WebEnv["deliver"]): WebEnv => ({ security: { authenticated, level: authenticated ? 1 : 0 }, port: p, ...(deliver ? { deliver } : {}) });
const app = () => createCardWebApp({ scripts: () => ({ get: () => undefined, set: () => undefined, names: () => [] }) }).app;

describe("the card's web server never answers an internal message", () => {
  test("a bug is 500 with a fixed text; a user-facing error keeps its line", async () => {
    const bug = await app().request("/card", {}, env(port(() => { throw new TypeError("secret internal detail at store.ts:42"); })));
    expect(bug.status).toBe(500);
    expect(await bug.json()).toEqual({ status: 500, message: "The card's web server could not complete this request" });
    const user = await app().request("/card", {}, env(port(() => { throw new WebcardError("card in Virtual PCD 00 00 did not answer within 2 s"); })));
    expect((await user.json()).message).toBe("card in Virtual PCD 00 00 did not answer within 2 s");
  });

  test("a delivery that cannot be made is 503 with a fixed text", async () => {
    const r = await app().request("/loader", {}, env(port(okFacts), true, () => { throw new RangeError("Cannot open a link session: 4 already open (limit 4)"); }));
    expect(r.status).toBe(503);
    expect((await r.json()).message).toBe("The card has no free link session to deliver the loading parameters: answer or close its open sessions, then retry");
  });

  test("without authentication the CGI refuses before the body is read; with it, a declared body over the limit is 413", async () => {
    let read = false;
    const body = new ReadableStream({ pull: (c) => ((read = true), c.close()) }, { highWaterMark: 0 });
    const unauth = await app().request("/cgi-bin/load", { method: "POST", body, headers: { "content-type": "multipart/form-data; boundary=b" }, duplex: "half" } as RequestInit, env(port(okFacts), false));
    expect(unauth.status).toBe(401);
    expect(read).toBe(false);
    const big = await app().request("/cgi-bin/load", { method: "POST", body: "x", headers: { "content-type": "multipart/form-data; boundary=b", "content-length": String(WEB_LIMITS.body + 1) } }, env(port(okFacts)));
    expect(big.status).toBe(413);
    const script = await app().request("/admin/scripts/load", { method: "PUT", body: "#".repeat(WEB_LIMITS.script + 1) }, env(port(okFacts)));
    expect(script.status).toBe(413);
  });
});
