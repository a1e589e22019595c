/**
 * Readers listed, ATR and protocol read, APDUs round-trip (short, and
 * extended up to what vpcd carries: its messages have a 2-byte length, so a
 * command of 65,535 bytes (65,526 data bytes, case 4E) and a response of
 * 65,535 bytes), monitor events for insertion and removal, and the CLI's
 * readers/apdu commands.
 */
import { attachToVpcd } from "../../../src/card/vpcd-link.ts";
import { connectReader } from "../../../src/host/pcsc/connect.ts";
import { listReaders, monitorReaders, type ReaderEvent } from "../../../src/host/pcsc/readers.ts";
import { toHex } from "../../../src/stack/bytes.ts";
import { EchoCard, uniqueAtr, INS } from "../echo-card.ts";
import { BUN, ROOT } from "../isolated.ts";
import { scenario } from "./run.ts";
import { setQuickAck } from "../../../src/ffi/libc.ts";

await scenario(async (pcscd) => {
  const [reader] = pcscd.readers;
  const empty = await listReaders();

  const abort = new AbortController();
  const events: ReaderEvent[] = [];
  const watching = (async () => {
    for await (const e of monitorReaders(abort.signal)) events.push(e);
  })();
  await Bun.sleep(300);

  const atr = uniqueAtr();
  const card = new EchoCard(atr);
  const link = attachToVpcd(card, { port: reader!.port, quickAck: setQuickAck });
  await link.connected;
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 100 && !cond(); i++) await Bun.sleep(50);
  };
  await until(() => events.some((e) => e.type === "card-inserted"));
  const listed = await listReaders();

  const conn = await connectReader({ reader: "00 00" });
  const short = await conn.transmit(new Uint8Array([0x80, INS.ECHO, 0, 0, 3, 1, 2, 3]));
  const data = crypto.getRandomValues(new Uint8Array(65_526));
  const extended = new Uint8Array(7 + data.length + 2);
  extended.set([0x80, INS.ECHO, 0, 0, 0, data.length >> 8, data.length & 0xff]);
  extended.set(data, 7);
  const echoed = await conn.transmit(extended);
  const big = await conn.transmit(new Uint8Array([0x80, INS.GET, 0xff, 0xfd, 0, 0, 0]));
  const info = { name: conn.readerName, atr: toHex(conn.atr), protocol: conn.protocol, extendedLength: conn.extendedLength };
  await conn.close();
  const afterClose = await conn.transmit(short).then(() => "sent", (e: Error) => e.message);

  // Asynchronous: the card answers vpcd on this thread while the CLI runs.
  const cli = async (args: string[]) => {
    const p = Bun.spawn([BUN, `${ROOT}/src/cli.ts`, ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr };
  };
  const readersJson = await cli(["readers", "--json"]);
  const readersText = await cli(["readers"]);
  const apdu = await cli(["apdu", "-r", "1", "80EC0000020102", "80FF0000"]);
  const apduJson = await cli(["apdu", "--json", "--reader", "Virtual PCD 00 00", "80EC00000101"]);
  const apduBad = await cli(["apdu", "-r", "1", "80EC00"]);

  await link.close();
  await until(() => events.some((e) => e.type === "card-removed"));
  abort.abort();
  await watching;

  return {
    empty: empty.map((r) => ({ name: r.name, cardPresent: r.cardPresent })),
    listed: listed.map((r) => ({ name: r.name, cardPresent: r.cardPresent, atr: r.atr && toHex(r.atr), protocol: r.protocol })),
    expectedAtr: toHex(atr),
    info,
    short: toHex(short),
    extendedLength: extended.length,
    extendedOk: echoed.length === data.length + 2 && toHex(echoed.subarray(0, data.length)) === toHex(data) && toHex(echoed.subarray(-2)) === "9000",
    bigLength: big.length,
    bigSw: toHex(big.subarray(-2)),
    afterClose,
    events: events.map((e) => ({ type: e.type, reader: e.reader, atr: "atr" in e ? toHex(e.atr) : undefined })),
    cli: { readersJson, readersText, apdu, apduJson, apduBad },
  };
});
