/**
 * The echo card in a process of its own, attached to a vpcd port:
 * `bun tests/pcsc/card-process.ts <port> [ATR hex]`. Prints "ready" once vpcd has it.
 * Tests stop (SIGSTOP) and kill (SIGKILL) it by PID.
 */
import { attachToVpcd } from "../../src/card/vpcd-link.ts";
import { fromHex } from "../../src/stack/bytes.ts";
import { EchoCard, ECHO_ATR } from "./echo-card.ts";
import { setQuickAck } from "../../src/ffi/libc.ts";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error("usage: card-process.ts <port> [ATR hex]");
const atr = process.argv[3] ? fromHex(process.argv[3]) : ECHO_ATR;
const link = attachToVpcd(new EchoCard(atr), { port, quickAck: setQuickAck, onError: (e) => process.stderr.write(`card: ${e.message}\n`) });
await link.connected;
process.stdout.write("ready\n");
process.on("SIGTERM", () => void link.close().then(() => process.exit(0)));
