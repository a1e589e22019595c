/**
 * The web server of the card (and of the bridge): pages, the loading page,
 * the CGI gateway and the script administration, as one Hono app. It is
 * pure: everything it touches comes in the per-request WebEnv (who asks,
 * IL as a LoaderPort, where the scripts are kept). The card serves it over
 * the link; the bridge serves it in-process on the terminal.
 */
import { Hono, type Context } from "hono";
import { FormatError, WebcardError } from "../errors.ts";
import { runCgi } from "./cgi.ts";
import { liveResponse, wantsLive } from "./live-run.ts";
import { DEFAULT_SCRIPTS } from "./default-scripts.ts";
import { NonceBook } from "./nonces.ts";
import { cardPage, homePage, loaderPage, registryPage, resultPage } from "./pages.tsx";
import type { LoaderParameters, WebEnv } from "./port.ts";
import { parseScript, type Instruction } from "./script/parse.ts";
import { preflight, type ScriptResult } from "./script/run.ts";

/** Where scripts are kept: the card's memory, or the bridge's. */
export interface ScriptStore {
  get(name: string): string | undefined;
  set(name: string, source: string): void;
  names(): string[];
}

export interface CardWebOptions {
  /** Scripts by name; DEFAULT_SCRIPTS fill the gaps. */
  scripts: (env: WebEnv) => ScriptStore;
  nonces?: NonceBook;
  /** GP security level a load needs (default 01, C-MAC). */
  securityLevel?: number;
  /** Largest request body taken, in bytes (default WEB_LIMITS.body). */
  maxBody?: number;
}

/** Limits of the card's web server (docs/robustness.md, "The card's web server"). */
export const WEB_LIMITS = {
  /** A request body: the link carries at most 128 KiB a message, head included. */
  body: 128 * 1024,
  /** A stored script. */
  script: 8 * 1024,
} as const;

/** The fixed texts of refusals made before a request is read (never an internal message). */
const TEXT = {
  internal: "The card's web server could not complete this request",
  tooLarge: (limit: number) => `The request body is over the ${limit}-byte limit of the card's web server`,
  formType: "The loading file must be multipart/form-data or a URL-encoded form",
  badForm: "The loading file is not a well-formed form",
  badScript: (name: string) => `The CGI script ${name} does not parse: store a corrected one with PUT /admin/scripts/${name}`,
  noRoom: "The card has no free link session to deliver the loading parameters: answer or close its open sessions, then retry",
} as const;

type Env = { Bindings: WebEnv };

const wantsHtml = (c: Context) => (c.req.header("accept") ?? "").includes("text/html");

/** The Hono app of the card's web server. */
export function createCardWebApp(options: CardWebOptions): { app: Hono<Env>; nonces: NonceBook } {
  const nonces = options.nonces ?? new NonceBook();
  const level = options.securityLevel ?? 0x01;
  /** The routes below by path, with their methods (HEAD comes with GET in Hono). */
  const ALLOWED_METHODS: readonly (readonly [RegExp, readonly string[]])[] = [
    [/^\/(card|registry|loader)?$/, ["GET", "HEAD"]],
    [/^\/cgi-bin\/[^/]+$/, ["POST"]],
    [/^\/admin\/scripts$/, ["GET", "HEAD"]],
    [/^\/admin\/scripts\/[^/]+$/, ["PUT"]],
  ];
  const maxBody = options.maxBody ?? WEB_LIMITS.body;
  const app = new Hono<Env>();
  // Own properties only: "/cgi-bin/constructor" must not find Object.prototype's.
  const builtin = (name: string) => (Object.hasOwn(DEFAULT_SCRIPTS, name) ? DEFAULT_SCRIPTS[name] : undefined);
  const script = (env: WebEnv, name: string) => options.scripts(env).get(name) ?? builtin(name);

  app.get("/", async (c) => {
    const { where } = await c.env.port.facts();
    return wantsHtml(c) ? c.html(homePage(where)) : c.json({ name: "webcard", where, links: ["/card", "/registry", "/loader"] });
  });

  app.get("/card", async (c) => {
    const facts = await c.env.port.facts();
    return wantsHtml(c) ? c.html(cardPage(facts)) : c.json(facts);
  });

  app.get("/registry", async (c) => {
    const r = await c.env.port.registry();
    return wantsHtml(c) ? c.html(registryPage(r)) : c.json(r);
  });

  app.get("/loader", async (c) => {
    const facts = await c.env.port.facts();
    const parameters: LoaderParameters = {
      capVersions: facts.capVersions,
      javaCardVersion: facts.javaCardVersion,
      freeMemory: facts.freeMemory,
      blockSize: facts.blockSize,
      securityLevel: level,
      authentication: "scp02|scp03",
      nonce: nonces.issue(),
      script: "/cgi-bin/load",
      fields: { loadFile: "load-file", install: "install", nonce: "nonce", replace: "replace" },
      where: facts.where,
      ...(facts.securityDomain ? { securityDomain: facts.securityDomain } : {}),
    };
    if (wantsHtml(c)) return c.html(loaderPage(parameters));
    if (c.env.deliver) {
      // Step 2 of DESIGN.md: the loader opens a session of its own to the terminal's agent.
      try {
        await c.env.deliver(parameters);
      } catch {
        nonces.spend(parameters.nonce);
        return c.json({ status: 503, message: TEXT.noRoom }, 503);
      }
      return c.json({ delivery: "session" }, 202);
    }
    return c.json(parameters);
  });

  app.post("/cgi-bin/:name", async (c) => {
    const name = c.req.param("name");
    const source = script(c.env, name);
    if (source === undefined) return c.json({ status: 404, message: `No CGI script ${name}` }, 404);
    let instructions: Instruction[];
    try {
      instructions = parseScript(source);
    } catch {
      return c.json({ status: 500, message: TEXT.badScript(name) }, 500);
    }
    const answer = (result: ScriptResult) => (wantsHtml(c) ? c.html(resultPage(result), result.status as 200) : c.json(result, result.status as 200));
    // Who asks is known before the body: an unauthenticated upload is refused before any of it is read.
    const refused = preflight(instructions, c.env.security);
    if (refused) return answer(refused);
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > maxBody) return c.json({ status: 413, message: TEXT.tooLarge(maxBody) }, 413);
    const type = c.req.header("content-type") ?? "";
    if (!/^\s*(multipart\/form-data|application\/x-www-form-urlencoded)\s*(;|$)/i.test(type)) return c.json({ status: 415, message: TEXT.formType }, 415);
    const body = await c.req.arrayBuffer();
    if (body.byteLength > maxBody) return c.json({ status: 413, message: TEXT.tooLarge(maxBody) }, 413);
    let form: FormData;
    try {
      form = await new Response(body, { headers: { "content-type": type } }).formData();
    } catch {
      return c.json({ status: 400, message: TEXT.badForm }, 400);
    }
    const cgi = { script: instructions, form, security: c.env.security, port: c.env.port, spendNonce: (n: string | undefined) => nonces.spend(n) };
    // A client showing progress asks for the run in steps (docs/link-protocol.md section 8.1).
    if (wantsLive(c.req.header("accept"))) return liveResponse((hooks) => runCgi({ ...cgi, onProgress: hooks.line, onLoadProgress: hooks.load }));
    return answer(await runCgi(cgi));
  });

  app.get("/admin/scripts", (c) => {
    if (!c.env.security.authenticated) return c.json({ status: 401, message: "Listing scripts needs an authenticated secure channel" }, 401);
    const store = options.scripts(c.env);
    const names = [...new Set([...Object.keys(DEFAULT_SCRIPTS), ...store.names()])].sort();
    return c.json(Object.fromEntries(names.map((n) => [n, script(c.env, n)])));
  });

  app.put("/admin/scripts/:name", async (c) => {
    if (!c.env.security.authenticated) return c.json({ status: 401, message: "Replacing a script needs an authenticated secure channel" }, 401);
    const name = c.req.param("name");
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) return c.json({ status: 400, message: "Script names are 1-32 lowercase letters, digits and dashes" }, 400);
    if (Number(c.req.header("content-length") ?? 0) > WEB_LIMITS.script) return c.json({ status: 413, message: TEXT.tooLarge(WEB_LIMITS.script) }, 413);
    const source = await c.req.text();
    if (source.length > WEB_LIMITS.script) return c.json({ status: 413, message: TEXT.tooLarge(WEB_LIMITS.script) }, 413);
    try {
      parseScript(source);
    } catch (e) {
      if (e instanceof FormatError) return c.json({ status: 400, message: e.message }, 400);
      throw e;
    }
    options.scripts(c.env).set(name, source);
    return c.json({ status: 200, message: `Script ${name} stored (${source.length} bytes)` });
  });

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    // RFC 9110 15.5.6: a resource that exists under other methods answers 405 with Allow, not 404.
    const allowed = ALLOWED_METHODS.find(([pattern]) => pattern.test(path))?.[1];
    if (allowed) {
      c.header("Allow", allowed.join(", "));
      return c.json({ status: 405, message: `${c.req.method} is not allowed on ${path}: use ${allowed.join(" or ")}` }, 405);
    }
    return c.json({ status: 404, message: `Nothing at ${path}` }, 404);
  });
  // A user-facing error (the bridge's card timed out, was removed) says so; a bug gets a fixed text, never its internal message.
  app.onError((e, c) => c.json({ status: 500, message: e instanceof WebcardError ? e.message : TEXT.internal }, 500));
  return { app, nonces };
}
