/**
 * The applet firewall between two packages (JCRE 3.0.5 chapter 6), with
 * applets written in the CAP builder's assembler:
 * - the server package exports a Shareable interface (Export component,
 *   class token 0) with serve(short) and count(); its applet returns itself
 *   from getShareableInterfaceObject;
 * - the client package imports the server's package, gets the interface
 *   object with JCSystem.getAppletShareableInterfaceObject and calls it by
 *   invokeinterface: the call switches to the server's context (count()
 *   writes the server applet's own field, which the client's context could
 *   not), and the result comes back;
 * - any other use of the server's object from the client's context
 *   (invokevirtual Object.equals) throws SecurityException: 6F00 when
 *   uncaught, the applet's own answer when it catches it.
 */
import { describe, test, expect } from "bun:test";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { assemble, assembleMethod, PROCESS_SKIPS_SELECT } from "../../src/stack/cap/writer/assembler.ts";
import { instanceFieldRef } from "../../src/stack/cap/writer/spec.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";

const SERVER_PACKAGE = "A0000006472F0006";
const SERVER = `${SERVER_PACKAGE}01`;
const CLIENT_PACKAGE = "A0000006472F0007";
const CLIENT = `${CLIENT_PACKAGE}01`;
const FW = 0x80;

const SHAREABLE = {
  methods: [
    // short serve(short x): x + 1000, computed in the server's context
    { nargs: 2, maxStack: 2, maxLocals: 0, code: assemble("sload_1\n sspush 1000\n sadd\n sreturn") },
    // short count(): ++this.count, a field of the server applet
    { nargs: 1, maxStack: 2, maxLocals: 0, code: assemble("getfield_s_this #count\n sconst_1\n sadd\n putfield_s_this #count\n getfield_s_this #count\n sreturn", { count: 4 }) },
  ],
};

function serverCap() {
  return parseLoadFile(
    writeCap({
      packageAid: fromHex(SERVER_PACKAGE),
      packageName: "test.server",
      applets: [{ aid: fromHex(SERVER), className: "Server" }],
      fields: { references: 0, shorts: 1 },
      shareable: SHAREABLE,
      // Constant pool: 0-1 the builder's, 2-3 class 0, 4 the field (no process body).
      constants: [instanceFieldRef(0, { shareable: SHAREABLE })],
    }),
  );
}

const CLIENT_ENTRIES: [string, number[]][] = [
  ["getBuffer", [3, FW, 10, 1]],
  ["setIncomingAndReceive", [3, FW, 10, 6]],
  ["send", [3, FW, 10, 8]],
  ["setShort", [6, FW, 16, 6]],
  ["lookupAID", [6, FW, 8, 11]],
  ["getSIO", [6, FW, 8, 4]],
  ["throwIt", [6, FW, 7, 1]],
  ["Service", [1, 0x82, 0, 0]], // the server package's interface: import token 2, class token 0
  ["equals", [3, 0x81, 0, 0]], // java.lang.Object.equals, virtual token 0
  ["SecurityException", [1, 0x81, 10, 0]],
];
const CLIENT_CONSTANTS = Object.fromEntries(CLIENT_ENTRIES.map(([name], i) => [name, 5 + i]));

/** P1 1: serve(41); 2: count(); 3: invokevirtual on the server's object; 4: the same, SecurityException caught (6982). */
const CLIENT_PROCESS = `${PROCESS_SKIPS_SELECT}
  aload_1
  invokevirtual #setIncomingAndReceive
  sstore_3
  aload_2
  bspush 5
  sload_3
  s2b
  invokestatic #lookupAID
  sconst_0
  invokestatic #getSIO
  astore 4
  aload_2
  sconst_0
  aload_2
  sconst_2
  baload
  stableswitch bad 1 4 serve count touch guarded
serve:
  aload 4
  sspush 41
  invokeinterface 2 #Service 0
  goto reply
count:
  aload 4
  invokeinterface 1 #Service 1
  goto reply
touch:
  aload 4
  aload 4
  invokevirtual #equals
  goto reply
guarded:
  aload 4
  aload 4
  invokevirtual #equals
guarded_end:
  goto reply
denied:
  pop
  sspush 0x6982
  invokestatic #throwIt
bad:
  sconst_m1
reply:
  invokestatic #setShort
  pop
  aload_1
  sconst_0
  sconst_2
  invokevirtual #send
  return
.catch guarded guarded_end denied #SecurityException
`;

function clientCap() {
  return parseLoadFile(
    writeCap({
      packageAid: fromHex(CLIENT_PACKAGE),
      packageName: "test.client",
      applets: [{ aid: fromHex(CLIENT), className: "Client" }],
      imports: [
        { aid: fromHex("A0000000620101"), major: 1, minor: 2 },
        { aid: fromHex("A0000000620001"), major: 1, minor: 0 },
        { aid: fromHex(SERVER_PACKAGE), major: 1, minor: 0 },
      ],
      process: { maxStack: 6, maxLocals: 3, ...assembleMethod(CLIENT_PROCESS, CLIENT_CONSTANTS) },
      constants: CLIENT_ENTRIES.map(([, bytes]) => Uint8Array.from(bytes)),
    }),
  );
}

async function card() {
  const c = createSimulatedCard({ open: true });
  for (const cap of [serverCap(), clientCap()]) for (const cmd of installSequence(cap)) expect(swOf(toHex(await c.process(cmd)))).toBe("9000");
  expect(await apdu(c, `00A4040009${CLIENT}`)).toBe("9000");
  return c;
}

const call = (p1: number) => `80100${p1}0009${SERVER}02`;

describe("firewall between two packages", () => {
  test("a Shareable interface call runs in the server's context and returns its result", async () => {
    const c = await card();
    try {
      expect(await apdu(c, call(1))).toBe(`${(41 + 1000).toString(16).toUpperCase().padStart(4, "0")}9000`);
      // count() writes the server applet's own field: only its context may.
      expect(await apdu(c, call(2))).toBe("00019000");
      expect(await apdu(c, call(2))).toBe("00029000");
    } finally {
      c.close();
    }
  });

  test("invokevirtual on the server's object from the client's context: SecurityException, 6F00 uncaught", async () => {
    const c = await card();
    try {
      expect(await apdu(c, call(3))).toBe("6F00");
      // The card goes on, and the server's state is intact.
      expect(await apdu(c, call(2))).toBe("00019000");
    } finally {
      c.close();
    }
  });

  test("the client catches the SecurityException and answers as it chooses", async () => {
    const c = await card();
    try {
      expect(await apdu(c, call(4))).toBe("6982");
    } finally {
      c.close();
    }
  });

  test("the server's package is exported: its CAP has an Export component and ACC_EXPORT", () => {
    const cap = serverCap();
    expect(cap.components.has("Export")).toBe(true);
    expect(clientCap().components.has("Export")).toBe(false);
  });
});
