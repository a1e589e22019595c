/**
 * Failures: the card process stopped (SIGSTOP) mid-command gives the timeout
 * error within the limit plus a second while a main-thread timer keeps
 * ticking; the card killed gives the removal error; the card back in the
 * reader works again after reconnect; pcscd stopped under an open session
 * and a running monitor gives the service error. Card processes are
 * signalled by PID.
 */
import { readdirSync } from "node:fs";
import { connectReader, type ReaderConnection } from "../../../src/host/pcsc/connect.ts";
import { monitorReaders } from "../../../src/host/pcsc/readers.ts";
import { toHex } from "../../../src/stack/bytes.ts";
import { uniqueAtr, INS } from "../echo-card.ts";
import { startCardProcess } from "../isolated.ts";
import { scenario, failureOf } from "./run.ts";

/** Threads of this process (the main thread, Bun's own, one per PC/SC worker). */
const threadCount = () => readdirSync("/proc/self/task").length;
const ECHO = new Uint8Array([0x80, INS.ECHO, 0, 0, 2, 0xca, 0xfe]);
const TIMEOUT_MS = 2000;

await scenario(async (pcscd) => {
  const port = pcscd.readers[0]!.port;
  const atr = uniqueAtr();
  const children: ReturnType<typeof Bun.spawn>[] = [];
  const waitPresent = async (conn: () => Promise<unknown>) => {
    for (let i = 0; i < 100; i++) {
      if (await conn().then(() => true, () => false)) return;
      await Bun.sleep(100);
    }
  };
  try {
    // 1. Stopped card: the command times out, the main thread keeps running.
    let card = await startCardProcess(port, toHex(atr));
    children.push(card);
    let conn!: ReaderConnection;
    await waitPresent(async () => (conn = await connectReader({ reader: "00 00", timeoutMs: TIMEOUT_MS })));
    const before = toHex(await conn.transmit(ECHO));
    // 0. An answer without a status word is an error, never data.
    const mute = await failureOf(conn.transmit(new Uint8Array([0x80, INS.SHORT, 0, 0])));
    const afterMute = await conn.transmit(ECHO).then(toHex, (e: Error) => e.message);
    card.kill("SIGSTOP");
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    const t0 = performance.now();
    const stopped = await failureOf(conn.transmit(ECHO));
    const elapsedMs = performance.now() - t0;
    clearInterval(ticker);
    // Still stopped: more commands time out too, without a new thread each
    // (a worker stuck in SCardTransmit cannot be ended; the session waits for it).
    const threadsBefore = threadCount();
    const stillStopped = [await failureOf(conn.transmit(ECHO)), await failureOf(conn.transmit(ECHO))];
    const threadsAfter = threadCount();
    card.kill("SIGCONT");
    // The session was reset: the next command reconnects in a fresh worker.
    await Bun.sleep(500);
    const afterTimeout = await conn.transmit(ECHO).then(toHex, (e: Error) => e.message);

    // 2. Killed card: the removal error.
    card.kill("SIGKILL");
    await card.exited;
    const killed = await failureOf(conn.transmit(ECHO));
    const killedAgain = await failureOf(conn.transmit(ECHO));

    // 3. The card comes back: reconnect, and it works again.
    card = await startCardProcess(port, toHex(atr));
    children.push(card);
    let reconnected: string | undefined;
    for (let i = 0; i < 50 && reconnected === undefined; i++) {
      reconnected = await (conn as ReaderConnection & { reconnect(): Promise<void> })
        .reconnect()
        .then(() => "ok", () => undefined);
      if (reconnected === undefined) await Bun.sleep(100);
    }
    const afterReconnect = await conn.transmit(ECHO).then(toHex, (e: Error) => e.message);
    const atrAfter = toHex(conn.atr);

    // 4. pcscd stopped under an open session and a running monitor: the service error for both.
    const watching = failureOf(
      (async () => {
        for await (const _ of monitorReaders());
      })(),
    );
    await Bun.sleep(300);
    await pcscd.stop();
    const serviceStopped = await failureOf(conn.transmit(ECHO));
    const monitorStopped = await watching;
    await conn.close();

    return { serviceStopped, monitorStopped, before, mute, afterMute, stopped, elapsedMs, ticks, stillStopped, threadsBefore, threadsAfter, afterTimeout, killed, killedAgain, reconnected, afterReconnect, atrAfter, atr: toHex(atr), timeoutMs: TIMEOUT_MS };
  } finally {
    for (const c of children) {
      c.kill("SIGCONT");
      c.kill("SIGKILL");
      await c.exited;
    }
  }
});
