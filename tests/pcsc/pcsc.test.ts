/**
 * PC/SC integration against a real pcscd with vpcd, the echo card attached
 * through vpcd-link. Each scenario runs in a private mount + network
 * namespace with its own pcscd (see isolated.ts for why not the shared one).
 */
import { describe, test, expect } from "bun:test";
import { CI } from "../harness/pcscd.ts";
import { BUN, ROOT, isolationUsable, runIsolated, runScenario } from "./isolated.ts";

type Run = { code: number; stdout: string; stderr: string };

test.if(CI)("private pcscd namespaces are usable in CI", () => {
  expect(isolationUsable).toBe(true);
});

describe.if(isolationUsable)("readers, ATR, APDUs, events, CLI", () => {
  let r: Record<string, any>;
  test("the scenario runs", async () => {
    r = await runScenario<Record<string, any>>("basic", 90_000);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
  }, 100_000);

  test("readers are listed, with the card's ATR and protocol once inserted", () => {
    expect(r.empty).toEqual([
      { name: "Virtual PCD 00 00", cardPresent: false },
      { name: "Virtual PCD 00 01", cardPresent: false },
    ]);
    expect(r.listed[0]).toEqual({ name: "Virtual PCD 00 00", cardPresent: true, atr: r.expectedAtr, protocol: "T=1" });
    expect(r.listed[1].cardPresent).toBe(false);
  });

  test("connectReader reads the ATR and protocol; short and extended APDUs round-trip", () => {
    expect(r.info).toEqual({ name: "Virtual PCD 00 00", atr: r.expectedAtr, protocol: "T=1", extendedLength: true });
    expect(r.short).toBe("0102039000");
    expect(r.extendedLength).toBe(65_535);
    expect(r.extendedOk).toBe(true);
    expect(r.bigLength).toBe(65_535);
    expect(r.bigSw).toBe("9000");
    expect(r.afterClose).toBe("connection to Virtual PCD 00 00 is closed");
  });

  test("the monitor reports insertion (with the ATR) and removal", () => {
    expect(r.events).toEqual([
      { type: "card-inserted", reader: "Virtual PCD 00 00", atr: r.expectedAtr },
      { type: "card-removed", reader: "Virtual PCD 00 00" },
    ]);
  });

  test("webcard readers, in text and JSON", () => {
    const { readersJson, readersText } = r.cli as Record<string, Run>;
    expect(readersJson!.code).toBe(0);
    expect(JSON.parse(readersJson!.stdout)).toEqual([
      { name: "Virtual PCD 00 00", cardPresent: true, atr: r.expectedAtr, protocol: "T=1" },
      { name: "Virtual PCD 00 01", cardPresent: false, atr: null, protocol: null },
    ]);
    expect(readersText!.code).toBe(0);
    expect(readersText!.stdout).toBe(`1: Virtual PCD 00 00  card ${r.expectedAtr} T=1\n2: Virtual PCD 00 01  no card\n`);
  });

  test("webcard apdu sends each APDU and explains the SW", () => {
    const { apdu, apduJson, apduBad } = r.cli as Record<string, Run>;
    expect(apdu!.code).toBe(0);
    expect(apdu!.stdout).toContain("> 80EC0000020102\n< 0102 9000");
    expect(apdu!.stdout).toContain("> 80FF0000\n< 6D00");
    expect(apduJson!.code).toBe(0);
    const j = JSON.parse(apduJson!.stdout);
    expect(j.reader).toBe("Virtual PCD 00 00");
    expect(j.exchanges).toEqual([{ command: "80EC00000101", response: "019000", data: "01", sw: "9000", meaning: expect.stringContaining("9000") }]);
    expect(apduBad!.code).toBe(2);
    expect(apduBad!.stderr).toContain("'80EC00' is not a command APDU");
  });
});

describe.if(isolationUsable)("failures", () => {
  let r: Record<string, any>;
  test("the scenario runs", async () => {
    r = await runScenario<Record<string, any>>("failures", 90_000);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
  }, 100_000);

  test("a stopped card gives the timeout error within the limit plus one second, the main thread ticking meanwhile", () => {
    expect(r.before).toBe("CAFE9000");
    expect(r.stopped).toEqual({ name: "TransportError", kind: "timeout", message: "card in Virtual PCD 00 00 did not answer within 2 s" });
    expect(r.elapsedMs).toBeLessThan(r.timeoutMs + 1000);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(r.timeoutMs - 50);
    // A 50 ms interval during a 2 s wait: a frozen main thread would tick at most once.
    expect(r.ticks).toBeGreaterThan(10);
  });

  test("an answer with no status word is a clear error, and the card still works", () => {
    expect(r.mute).toEqual({
      name: "TransportError",
      kind: "protocol",
      message: "card in Virtual PCD 00 00 answered 1 byte(s), without a status word (reconnect the card and try again)",
    });
    expect(r.afterMute).toBe("CAFE9000");
  });

  test("while the card stays stopped every command times out, and no worker thread piles up", () => {
    expect(r.stillStopped).toEqual([r.stopped, r.stopped]);
    expect(r.threadsAfter - r.threadsBefore).toBeLessThan(2);
  });

  test("after a timeout the session is reset and works again once the card answers", () => {
    expect(r.afterTimeout).toBe("CAFE9000");
  });

  test("a killed card gives the removal error", () => {
    expect(r.killed).toEqual({ name: "TransportError", kind: "removed", message: "card removed from Virtual PCD 00 00" });
    expect(r.killedAgain?.kind).toBe("removed");
  });

  test("a card inserted again works after reconnect", () => {
    expect(r.reconnected).toBe("ok");
    expect(r.afterReconnect).toBe("CAFE9000");
    expect(r.atrAfter).toBe(r.atr);
  });

  test("pcscd stopped under an open session and a running monitor gives the service error", () => {
    const service = { name: "TransportError", kind: "no-service", message: "PC/SC service not running (start pcscd)" };
    expect(r.serviceStopped).toEqual(service);
    expect(r.monitorStopped).toEqual(service);
  });
});

test.if(isolationUsable)("no pcscd gives the service error (library, connect and CLI)", async () => {
  const r = await runIsolatedScenario("no-service");
  const service = { name: "TransportError", kind: "no-service", message: "PC/SC service not running (start pcscd)" };
  expect(r.list).toEqual(service);
  expect(r.connect).toEqual(service);
  expect(r.cli.code).toBe(1);
  expect(r.cli.stderr).toBe("webcard: PC/SC service not running (start pcscd)\n");
}, 30_000);

async function runIsolatedScenario(name: string): Promise<Record<string, any>> {
  const r = await runIsolated([BUN, `${ROOT}/tests/pcsc/scenarios/${name}.ts`], 30_000);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
}

test.if(isolationUsable)("a program written for node-pcsclite runs unchanged on webcard/pcsclite", async () => {
  const r = await runScenario<Record<string, any>>("compat", 60_000);
  expect(r.error).toBeUndefined();
  expect(r.lines).toEqual([
    "reader Virtual PCD 00 00",
    "reader Virtual PCD 00 01",
    `card inserted ${r.atr}`,
    "protocol 2 connected true",
    "data cafe9000",
    "short buffer SCARD_E_INSUFFICIENT_BUFFER (0x80100008)",
    "ready",
    "card removed",
    "disconnected ok",
    "end Virtual PCD 00 00",
  ]);
  expect(r.exited).toBe(0);
}, 70_000);
