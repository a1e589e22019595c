/**
 * Locking webcard's link application would switch off the card's own web
 * server and loader: `lock` refuses it on the terminal in one line (no
 * SET STATUS sent), and the card refuses the SET STATUS itself (6985) for any
 * terminal that sends it; unlocking stays possible; ordinary applications
 * still lock and unlock.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";
import { toHex } from "../../src/stack/bytes.ts";
import { LINK_AID } from "../../src/stack/link/constants.ts";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { setStatus } from "../../src/stack/gp/commands.ts";
import { send } from "../../src/stack/transport/transport.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-lock-link-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LINK = toHex(LINK_AID);

describe("lock of the link application", () => {
  const state = join(dir, "card.sqlite");
  const linkEntry = () => JSON.parse(webcard(["list", "--sim", state, "--json"]).stdout).apps.find((a: { aid: string }) => a.aid === LINK);

  test("the CLI refuses in one line and the link stays as it was", () => {
    const before = linkEntry();
    expect(before).toBeDefined();
    const r = webcard(["lock", LINK, "--sim", state]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`webcard: Refused: ${LINK} is webcard's link application: the card's own web server and loader run through it, so it is not locked\n`);
    expect(linkEntry()).toEqual(before);
  });

  test("the card refuses SET STATUS lock of it (6985), one log line, nothing changed", async () => {
    const log: string[] = [];
    const card = createWebCard({ log: (l) => log.push(l) });
    const before = card.stateDigest();
    const session = await openGpSession(inProcessTransport(card), { keys: defaultKeys("AES"), kdf: "none" });
    const r = await send(session.channel, setStatus("app", 0x80, LINK_AID));
    expect(r.sw).toBe(0x6985);
    expect(log.at(-1)).toBe(`refused: SET STATUS: 6985 (Conditions of use not satisfied): application ${LINK} is built into the card (its own web server and loader): it is not locked`);
    expect(card.stateDigest()).toBe(before);
  });
});
