/** `webcard fetch PATH`: one HTTP request to the card's own web server over the web-card link, like curl. */
import { readFileSync } from "node:fs";
import { UsageError } from "../../stack/errors.ts";
import { CardWeb, cardRequest } from "../../host/link/card-web.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { connectOptionsFrom } from "../option-values.ts";
import { withTarget } from "../session.ts";

/** Flags of `webcard fetch`. */
export interface FetchFlags extends KeyFlags {
  request?: string;
  header?: string[];
  data?: string;
  include?: boolean;
  auth?: boolean;
  short?: boolean;
}

function headersFrom(flags: FetchFlags): Headers {
  const headers = new Headers();
  for (const h of flags.header ?? []) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new UsageError(`Header '${h}' must be 'Name: value'`);
    headers.append(h.slice(0, colon).trim(), h.slice(colon + 1).trim());
  }
  return headers;
}

function bodyFrom(flags: FetchFlags): Uint8Array | undefined {
  if (flags.data === undefined) return undefined;
  const text = flags.data;
  if (text.startsWith("@")) {
    try {
      return new Uint8Array(readFileSync(text.slice(1)));
    } catch (error) {
      throw new UsageError(`Cannot read ${text.slice(1)}: ${(error as Error).message}`, { cause: error });
    }
  }
  return new TextEncoder().encode(text);
}

export async function fetchCommand(ctx: Context, path: string, flags: FetchFlags): Promise<void> {
  const body = bodyFrom(flags);
  const method = flags.request === undefined ? (body ? "POST" : "GET") : flags.request.toUpperCase();
  const headers = headersFrom(flags);
  const secure = flags.auth ? connectOptionsFrom(flags) : undefined;
  await withTarget(ctx, flags, async (target) => {
    const web = await CardWeb.open(target.transport, {
      ...(secure ? { secure } : {}),
      ...(flags.short ? { short: true } : {}),
      ...(ctx.trace ? { trace: ctx.err } : {}),
    });
    const response = await web.fetch(cardRequest(path, { method, headers, ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}) }));
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (ctx.json) {
      const text = new TextDecoder().decode(bytes);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const headerObject: Record<string, string> = {};
      response.headers.forEach((v, k) => (headerObject[k] = v));
      return ctx.printJson({ ok: response.ok, status: response.status, headers: headerObject, ...(json === undefined ? { body: text } : { json }) });
    }
    if (flags.include) {
      ctx.out(`HTTP/1.1 ${response.status} ${response.statusText}`);
      response.headers.forEach((v, k) => ctx.out(`${k}: ${v}`));
      ctx.out("");
    }
    process.stdout.write(bytes);
    if (bytes.length && bytes[bytes.length - 1] !== 0x0a) process.stdout.write("\n");
  });
}
