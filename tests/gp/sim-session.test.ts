/**
 * The GP terminal side against the simulated card: golden APDUs with a real
 * CAP, the 256-block refusal, the one-attempt rule for a wrong key, install
 * choices, lock and unlock.
 */
import { test, expect } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { defaultKeys, parseKeys } from "../../src/stack/gp/keys.ts";
import { LoadTooLargeError } from "../../src/stack/gp/load.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { SecurityError } from "../../src/stack/errors.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { discoverIsd } from "../../src/host/gp/discover.ts";
import { installViaGp } from "../../src/host/gp/install.ts";
import { list } from "../../src/host/gp/registry.ts";
import { lock, unlock, makeDefault } from "../../src/host/gp/manage.ts";
import type { GpSession } from "../../src/host/gp/session.ts";
import { putKey } from "../../src/host/gp/put-key.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const empty = () => parseLoadFile(readFileSync(resolve(FIXTURES, "gppro_Empty_0102030405_2.2.1.cap")));

/** A transport that records every command sent. */
function recording(inner: Transport): Transport & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async transmit(c) {
      sent.push(toHex(c));
      return inner.transmit(c);
    },
  };
}

test("golden APDUs of the fixtures README, plain, on an open card", async () => {
  const card = createSimulatedCard({ open: true });
  const t = recording(withIsoResponses(inProcessTransport(card)));
  try {
    const isd = await discoverIsd(t);
    const session: GpSession = { channel: t, isd: isd.aid, fci: isd.fci, blockSize: 247, level: "clear" };
    t.sent.length = 0;
    await installViaGp(session, empty());
    // First the registry lookup (GET STATUS: is the package or an instance already there?), then the golden orders.
    const lookups = t.sent.filter((c) => c.slice(2, 4) === "F2");
    expect(lookups.length).toBeGreaterThan(0);
    expect(t.sent.slice(0, lookups.length)).toEqual(lookups);
    const orders = t.sent.slice(lookups.length);
    expect(orders[0]).toBe("80E602001205010203040508A00000015100000000000000");
    expect(orders[1]!.startsWith("80E88000D6C481D301000FDECAFFED0102040000050102030405")).toBe(true);
    expect(orders[1]!.length).toBe(2 * (5 + 214));
    expect(orders[2]).toBe("80E60C001E050102030405080102030405060708080102030405060708010002C9000000");
    expect(orders).toHaveLength(3);
  } finally {
    card.close();
  }
});

test("a load file over 256 blocks is refused before any APDU reaches the card", async () => {
  const big = parseLoadFile(
    writeCap({
      packageAid: fromHex("F000000001"),
      packageName: "com.example.big",
      applets: [{ aid: fromHex("F00000000101"), className: "Big" }],
      padding: 64_000,
    }),
  );
  const card = createSimulatedCard({ scp: 3 });
  const t = recording(withIsoResponses(inProcessTransport(card)));
  try {
    const session = await openGpSession(t, { keys: defaultKeys(), level: "mac" });
    const before = t.sent.length;
    const digest = card.stateDigest();
    const err = await installViaGp(session, big).catch((e) => e);
    expect(err).toBeInstanceOf(LoadTooLargeError);
    expect((err as LoadTooLargeError).blocks).toBeGreaterThan(256);
    expect(t.sent.length).toBe(before);
    expect(card.stateDigest()).toBe(digest);
  } finally {
    card.close();
  }
});

test("a wrong key stops after one INITIALIZE UPDATE: no EXTERNAL AUTHENTICATE, nothing retried", async () => {
  for (const scp of [2, 3] as const) {
    const card = createSimulatedCard({ scp });
    const t = recording(withIsoResponses(inProcessTransport(card)));
    try {
      const wrong = parseKeys({ key: "00112233445566778899AABBCCDDEEFF" });
      const err = await openGpSession(t, { keys: wrong }).catch((e) => e);
      expect(err).toBeInstanceOf(SecurityError);
      expect(String(err.message)).toContain("repeated failures can lock the card");
      expect(t.sent.filter((c) => c.slice(2, 4) === "50")).toHaveLength(1);
      expect(t.sent.some((c) => c.slice(2, 4) === "82")).toBe(false);
    } finally {
      card.close();
    }
  }
});

test("install choices: instance AID, privileges, parameters, default; then lock and unlock", async () => {
  const card = createSimulatedCard({ scp: 2 });
  try {
    const session = await openGpSession(withIsoResponses(inProcessTransport(card)), { keys: defaultKeys(), level: "enc" });
    const instance = fromHex("A0000001020304");
    const r = await installViaGp(session, empty(), {
      instances: [instance],
      privileges: 0x000000,
      params: fromHex("0102"),
      makeDefault: true,
    });
    expect(r.installed.map((i) => toHex(i.instanceAid))).toEqual(["A0000001020304"]);
    let apps = (await list(session)).apps;
    const app = apps.find((a) => toHex(a.aid) === "A0000001020304")!;
    expect(app.privileges & 0x040000).toBe(0x040000);

    await lock(session, instance);
    apps = (await list(session)).apps;
    expect(apps.find((a) => toHex(a.aid) === "A0000001020304")!.lifecycle & 0x80).toBe(0x80);
    await unlock(session, instance);
    apps = (await list(session)).apps;
    expect(apps.find((a) => toHex(a.aid) === "A0000001020304")!.lifecycle).toBe(0x07);
    await expect(makeDefault(session, instance)).rejects.toThrow(
      "The card will not make A0000001020304 the default application (6985)",
    );
    await expect(lock(session, fromHex("A0000000FF01"))).rejects.toThrow("Application A0000000FF01 not found on the card (6A88)");
  } finally {
    card.close();
  }
});

test("PUT KEY replaces the factory keys; the old key no longer authenticates", async () => {
  for (const scp of [2, 3] as const) {
    const card = createSimulatedCard({ scp });
    const transport = () => withIsoResponses(inProcessTransport(card));
    try {
      const session = await openGpSession(transport(), { keys: defaultKeys(), level: "enc" });
      const fresh = parseKeys({ key: "00112233445566778899AABBCCDDEEFF", version: 2 });
      const r = await putKey(session, fresh);
      expect(r).toMatchObject({ version: 2, replaced: 0 });
      const again = await openGpSession(transport(), { keys: fresh, level: "mac" });
      expect({ ...again.kcvs }).toEqual({ ...fresh.withType(scp === 3 ? "AES" : "3DES").kcvs });
      await expect(openGpSession(transport(), { keys: defaultKeys() })).rejects.toBeInstanceOf(SecurityError);
    } finally {
      card.close();
    }
  }
});
