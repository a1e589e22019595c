/**
 * The echo card attached through vpcd-link to a stand-in vpcd (a local TCP
 * server) that sends `<count>` APDUs one at a time, each after the previous
 * answer: `bun tests/pcsc/quickack-card.ts <count>`. quickack.test.ts runs it
 * under strace to count the TCP_QUICKACK re-arms. Prints "answers N".
 */
import { attachToVpcd, VpcdFramer, vpcdFrame } from "../../src/card/vpcd-link.ts";
import { EchoCard, INS } from "./echo-card.ts";
import { setQuickAck } from "../../src/ffi/libc.ts";

const count = Number(process.argv[2] ?? "30");
const framer = new VpcdFramer();
let answers = 0;
let finished!: () => void;
const done = new Promise<void>((resolve) => (finished = resolve));
const apdu = vpcdFrame(new Uint8Array([0x80, INS.ECHO, 0, 0, 2, 0xca, 0xfe]));

const server = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    open(s) {
      s.write(vpcdFrame(new Uint8Array([0x01]))); // power on: no answer
      s.write(apdu);
    },
    data(s, chunk) {
      for (const _ of framer.push(chunk)) {
        if (++answers < count) s.write(apdu);
        else finished();
      }
    },
  },
});
const link = attachToVpcd(new EchoCard(), { port: server.port, reconnect: false, quickAck: setQuickAck });
await link.connected;
await done;
await link.close();
server.stop(true);
process.stdout.write(`answers ${answers}\n`);
