/**
 * `delete` never destroys the card itself: the ISD, a security domain, the
 * link application and the Java Card API packages are refused with their own
 * one-line reason (never advice to use --force), and the registry stays as it
 * was. Subprocesses on a simulated card's state file, as a user meets them,
 * plus a scripted card for a security domain (the simulated card installs none).
 */
import { test, expect, describe, afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";
import { toHex, fromHex, concat } from "../../src/stack/bytes.ts";
import { LINK_AID } from "../../src/stack/link/constants.ts";
import { deleteChecked, ProtectedObjectError, protectedReason } from "../../src/host/gp/delete-guard.ts";
import type { GpSession } from "../../src/host/gp/session.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-delete-guard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("refused on a simulated card, with or without --force", () => {
  const state = join(dir, "card.sqlite");
  const registry = () => {
    const r = webcard(["list", "--sim", state, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    return { isd: j.isd, apps: j.apps, loadFiles: j.loadFiles };
  };

  const cases: [string, string, string][] = [
    ["the ISD", "A000000151000000", "A000000151000000 is the card's issuer security domain (the card manager): it cannot be deleted"],
    ["the link application", toHex(LINK_AID), `${toHex(LINK_AID)} is webcard's link application`],
    ["javacard.framework", "A0000000620101", "A0000000620101 is javacard.framework, part of the card's platform"],
    ["org.globalplatform", "A00000015100", "A00000015100 is org.globalplatform, part of the card's platform"],
  ];
  for (const [what, aid, reason] of cases) {
    for (const force of [false, true]) {
      test(`${what}${force ? " with --force" : ""}`, () => {
        const before = registry();
        const r = webcard(["delete", aid, ...(force ? ["--force"] : []), "--sim", state]);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toContain(`webcard: Refused: ${reason}`);
        expect(r.stderr).not.toContain("--force");
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(registry()).toEqual(before);
      });
    }
  }
});

/** A card whose registry holds one supplementary security domain; records every command. */
function cardWithDomain(domain: Uint8Array) {
  const sent: string[] = [];
  const channel = {
    async transmit(command: Uint8Array) {
      sent.push(toHex(command));
      const [, ins, p1] = command;
      // GET STATUS of applications and domains (P1 40, GP 11.4.2.1): one E3 entry, privileges with security-domain (C5 80...).
      if (ins === 0xf2 && p1 === 0x40) {
        const entry = concat(0x4f, domain.length, domain, fromHex("9F700107C503800000"));
        return concat(0xe3, entry.length, entry, 0x90, 0x00);
      }
      if (ins === 0xf2) return fromHex("6A88");
      return fromHex("9000");
    },
  };
  const session: GpSession = { channel, isd: fromHex("A000000151000000"), fci: {} as GpSession["fci"], blockSize: 247, level: "clear" };
  return { session, sent };
}

test("a security domain is refused before any DELETE reaches the card", async () => {
  const domain = fromHex("A000000151535344");
  const { session, sent } = cardWithDomain(domain);
  const refused = deleteChecked(session, domain, { force: true });
  await expect(refused).rejects.toBeInstanceOf(ProtectedObjectError);
  await expect(refused).rejects.toThrow(
    "Refused: A000000151535344 is a security domain: its keys and the applications associated with it depend on it, so webcard does not delete it",
  );
  expect(sent.some((c) => c.startsWith("80E4"))).toBe(false);
});

test("an ordinary package or application has no reason to be refused", () => {
  expect(protectedReason({ kind: "load-file", aid: fromHex("0102030405") })).toBeUndefined();
  expect(protectedReason({ kind: "app", aid: fromHex("0102030405060708") })).toBeUndefined();
});

test("delete names what it deleted: application, then package", () => {
  const state = join(dir, "named.sqlite");
  const cap = join(import.meta.dir, "../../../shared/fixtures/cap/gppro_Empty_0102030405_2.2.1.cap");
  expect(webcard(["install", cap, "--via", "gp", "--sim", state]).code).toBe(0);
  expect(webcard(["delete", "0102030405060708", "--sim", state]).stdout).toBe("Deleted application 0102030405060708\n");
  expect(webcard(["delete", "0102030405", "--sim", state]).stdout).toBe("Deleted package 0102030405\n");
});
