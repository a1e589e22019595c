/** OL against a faulty card loader: one clear line, never a hang. */
import { describe, expect, test } from "bun:test";
import { CommandApdu } from "../../src/stack/apdu.ts";
import { CardLink } from "../../src/stack/link/card-link.ts";
import { CARD_AGENT, TERMINAL_AGENT } from "../../src/stack/link/constants.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { installViaWeb } from "../../src/host/loader/via-web.ts";
import { ALGTEST, capBytes } from "./helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const ACCEPTED = enc("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");

/** A card whose loader answers GET /loader with 202 and then does `then` (or nothing). */
function faultyCard(then?: (card: CardLink) => void): Transport {
  let card!: CardLink;
  card = new CardLink({
    maxCommand: 65_535,
    maxResponse: 65_536,
    agents: [
      { id: CARD_AGENT.HTTP, name: "http", serve: () => (then?.(card), ACCEPTED) },
      { id: CARD_AGENT.LOADER, name: "loader" },
    ],
  });
  return {
    extendedLength: true,
    async transmit(bytes) {
      const cmd = CommandApdu.parse(bytes);
      return (cmd.ins === 0xa4 ? card.select() : await card.process(cmd)).toBytes();
    },
  };
}

describe("OL and a faulty loader", () => {
  test("202 without the parameters' session: one line, no hang", async () => {
    const run = installViaWeb(faultyCard(), capBytes(ALGTEST), {}, undefined, { secure: false });
    await expect(run).rejects.toThrow("The card's loader answered 202 but opened no session with its parameters");
  });

  test("parameters that are not JSON: one line, no hang", async () => {
    const post = enc("POST /webcard/loader-parameters HTTP/1.1\r\nHost: terminal\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{oops");
    const run = installViaWeb(faultyCard((card) => card.openSession(CARD_AGENT.LOADER, TERMINAL_AGENT.OL, post)), capBytes(ALGTEST), {}, undefined, { secure: false });
    await expect(run).rejects.toThrow("The card's loader delivered parameters that are not JSON");
  });
});
