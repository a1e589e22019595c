/**
 * An HTTP request to the card's own web server over the web-card link
 * (docs/link-protocol.md): SELECT the link, one session to the card's HTTP
 * agent, the response parsed back. Used when the caller does not supply
 * its own `cardFetch`.
 */
import { WebcardError } from "../stack/errors.ts";
import { LinkClient, selectLink } from "../stack/link/client.ts";
import { parseResponse, serializeRequest } from "../stack/link/http.ts";
import type { Transport } from "../stack/transport/transport.ts";

/** Fetch `request` from the card's web server. */
export async function linkFetch(transport: Transport, request: Request): Promise<Response> {
  const selected = await selectLink(transport);
  if (!selected) {
    throw new WebcardError("This card has no web-card link, so it serves no pages of its own", {
      hint: "plain GlobalPlatform cards are managed through the bridge",
    });
  }
  const client = new LinkClient(transport, selected.info);
  return parseResponse(await client.exchange(await serializeRequest(request)));
}
