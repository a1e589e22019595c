/** `webcard readers`: the PC/SC readers, whether a card is in each, its ATR and protocol. */
import type { Context } from "../context.ts";
import { toHex } from "../../stack/bytes.ts";
import { listReaders } from "../../host/pcsc/readers.ts";

/** `webcard readers`. */
export async function readersCommand(ctx: Context): Promise<void> {
  const readers = await listReaders();
  if (ctx.json) {
    ctx.printJson(
      readers.map((r) => ({ name: r.name, cardPresent: r.cardPresent, atr: r.atr ? toHex(r.atr) : null, protocol: r.protocol ?? null })),
    );
    return;
  }
  if (readers.length === 0) {
    ctx.out("No readers");
    return;
  }
  readers.forEach((r, i) => {
    const card = r.cardPresent ? `card ${r.atr ? toHex(r.atr) : "(no ATR)"}${r.protocol ? ` ${r.protocol}` : ""}` : "no card";
    ctx.out(`${i + 1}: ${r.name}  ${card}`);
  });
}
