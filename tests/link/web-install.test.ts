/** The four steps of a load, end to end in-process: OL over the link into the simulated card. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { withTrace } from "../../src/stack/transport/trace.ts";
import { installViaWeb } from "../../src/host/loader/via-web.ts";
import { WebLoadError } from "../../src/host/loader/ol.ts";

const CAPS = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const cap = (name: string) => new Uint8Array(readFileSync(resolve(CAPS, name)));

describe("install via the card's web server", () => {
  test("AlgTest 22 KB: the four steps, extended APDUs", async () => {
    const card = createWebCard();
    const lines: string[] = [];
    const t = withTrace(inProcessTransport(card), (l) => lines.push(l), { maxBytes: 24 });
    const r = await installViaWeb(t, cap("jcalgtest_AlgTest_v1.7.4_jc222.cap"), {}, (l) => lines.push(l), { trace: (l) => lines.push(l) });
    console.log(lines.join("\n"));
    expect(r.result.installed).toEqual(["4A43416C675465737431"]);
    console.log("exchanges", r.exchanges);
  });
});
