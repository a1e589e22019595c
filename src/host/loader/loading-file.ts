/**
 * The loading file of step 3: a multipart/form-data body (RFC 7578) built
 * by hand, with a short boundary and no optional headers, because on a short
 * APDU link every byte of overhead is a fraction of a round trip.
 */
import { concat } from "../../stack/bytes.ts";

export interface FormPart {
  name: string;
  value: string | Uint8Array;
  filename?: string;
}

/** Body and content type of a multipart form. */
export function multipartForm(parts: readonly FormPart[], boundary = `wc${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}`): { body: Uint8Array; contentType: string } {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const file = typeof p.value !== "string";
    const disposition = `Content-Disposition: form-data; name="${p.name}"${file ? `; filename="${p.filename ?? p.name}"` : ""}`;
    const type = file ? "\r\nContent-Type: application/octet-stream" : "";
    chunks.push(enc.encode(`--${boundary}\r\n${disposition}${type}\r\n\r\n`));
    chunks.push(typeof p.value === "string" ? enc.encode(p.value) : p.value);
    chunks.push(enc.encode("\r\n"));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  return { body: concat(...chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
