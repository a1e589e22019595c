/** The CardApplication plug-in point: selection, secure messaging by the core, the app's store, the card manager, power loss. */
import { test, expect } from "bun:test";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { ResponseApdu } from "../../src/stack/apdu.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { openSecureChannel } from "../../src/stack/gp/secure-channel.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import type { AppContext, CardApplication } from "../../src/card/application.ts";
import { CardRefusal } from "../../src/card/refusal.ts";
import { fixture } from "./fixtures.ts";

const AID = fromHex("F0000000010101");
const SELECT = Uint8Array.of(0x00, 0xa4, 0x04, 0x00, AID.length, ...AID);

/** A test application: INS 01 reports the secure state, 02 stores data, 03 loads and installs a CAP, 04 waits for `gate`. */
function testApp(gate?: Promise<void>): CardApplication & { seen: AppContext["secure"][] } {
  const seen: AppContext["secure"][] = [];
  return {
    aid: AID,
    seen,
    select: () => fromHex("6F00"),
    async process(cmd, ctx) {
      seen.push(ctx.secure);
      switch (cmd.ins) {
        case 0x01:
          return ResponseApdu.of(0x9000, Uint8Array.of(ctx.secure.isAuthenticated ? 1 : 0, ctx.secure.level, ctx.secure.commandSecured ? 1 : 0));
        case 0x02:
          ctx.store.set("k", cmd.data);
          return ResponseApdu.of(0x9000, ctx.store.get("k"));
        case 0x03: {
          if (!ctx.secure.isAuthenticated) return ResponseApdu.of(0x6982);
          const cap = fixture("kaoh_helloworld.cap");
          try {
            ctx.cardManager.load(cap.lfdb, { hash: cap.lfdbHash("sha256") });
            const app = ctx.cardManager.install({ loadFile: cap.packageAid, module: cap.applets[0]!.aid });
            return ResponseApdu.of(0x9000, app.aid);
          } catch (e) {
            if (e instanceof CardRefusal) return ResponseApdu.of(e.sw);
            throw e;
          }
        }
        case 0x04:
          ctx.store.set("half", Uint8Array.of(1));
          await gate;
          ctx.store.set("done", Uint8Array.of(1));
          return ResponseApdu.of(0x9000);
        default:
          return ResponseApdu.of(0x6d00);
      }
    },
  };
}

test("an application runs inside the ISD's SCP03 session: the core verifies and wraps, the app sees the state", async () => {
  const card = createSimulatedCard();
  const app = testApp();
  card.installApplication(app);
  const t = inProcessTransport(card);
  expect(toHex(await t.transmit(SELECT))).toBe("6F009000");
  expect(toHex(await t.transmit(fromHex("8001000000")))).toBe("0000009000");
  const sc = await openSecureChannel(t, { keys: defaultKeys("AES"), level: "renc" });
  expect(toHex(await sc.transmit(fromHex("8001000000")))).toBe("0133019000");
  // The card manager from an application: load and install a CAP in one APDU.
  expect(toHex(await sc.transmit(fromHex("8003000000")))).toBe("D0D1D2D3D4D501019000");
  expect(toHex(await sc.transmit(fromHex("8003000000")))).toBe("6985"); // already there
  // Data in the app's store survives a power cycle.
  expect(toHex(await sc.transmit(fromHex("80020000020102")))).toBe("01029000");
  card.reset();
  await t.transmit(SELECT);
  expect(toHex(await t.transmit(fromHex("8002000000")))).toBe("9000"); // empty value stored now
  card.close();
});

test("power lost while an application's async command runs: its writes are rolled back", async () => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const card = createSimulatedCard();
  card.installApplication(testApp(gate));
  card.powerOn();
  await card.process(SELECT);
  const before = card.stateDigest();
  const pending = card.process(fromHex("8004000000"));
  card.powerOff();
  open();
  expect(toHex(await pending)).toBe("6F00");
  expect(card.stateDigest()).toBe(before);
  card.close();
});
