/** The page's requests to the dashboard: JSON in and out, the CSRF header on every one. */

/** What every API answer looks like (src/web/routes/api.ts). */
export type ApiResult<T = Record<string, unknown>> = ({ ok: true } & T) | { ok: false; error: string };

/** The CSRF token the page was served with (`<meta name="csrf-token">`). */
export function csrfToken(doc: Document = document): string {
  return doc.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/**
 * An answer as the page handles it: the JSON body when it has one; an HTTP
 * error without `ok: false` becomes one; a body that is not JSON says what
 * the dashboard answered.
 */
export function toResult<T>(status: number, statusText: string, body: unknown, parsed: boolean): ApiResult<T> {
  if (!parsed || typeof body !== "object" || body === null) return { ok: false, error: `The dashboard answered ${status} ${statusText}`.trim() };
  const data = body as { ok?: unknown; error?: unknown };
  const ok = status >= 200 && status < 300;
  if (!ok && data.ok !== false) return { ok: false, error: typeof data.error === "string" ? data.error : `HTTP ${status}` };
  return body as ApiResult<T>;
}

/** One request to the dashboard; JSON or a form as the body. */
export async function api<T = Record<string, unknown>>(method: string, url: string, payload?: FormData | object): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { "X-CSRF-Token": csrfToken() };
  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (payload instanceof FormData) init.body = payload;
  else if (payload !== undefined) {
    init.body = JSON.stringify(payload);
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(url, init);
  let body: unknown;
  let parsed = true;
  try {
    body = await res.json();
  } catch {
    parsed = false;
  }
  return toResult<T>(res.status, res.statusText, body, parsed);
}
