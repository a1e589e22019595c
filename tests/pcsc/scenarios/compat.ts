/**
 * The node-pcsclite program (compat-program.cjs) runs unchanged on Bun
 * against webcard/pcsclite: it sees the reader, the card inserted, connects,
 * transmits, then sees the card removed, disconnects, closes and exits.
 */
import { toHex } from "../../../src/stack/bytes.ts";
import { uniqueAtr } from "../echo-card.ts";
import { BUN, ROOT, startCardProcess } from "../isolated.ts";
import { scenario } from "./run.ts";

await scenario(async (pcscd) => {
  const reader = pcscd.readers[0]!;
  const atr = uniqueAtr();
  const program = Bun.spawn([BUN, `${ROOT}/tests/pcsc/compat-program.cjs`, reader.name], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of program.stdout as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk);
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      lines.push(...parts);
    }
  })();
  await Bun.sleep(500);
  const card = await startCardProcess(reader.port, toHex(atr));
  for (let i = 0; i < 100 && !lines.includes("ready"); i++) await Bun.sleep(100);
  card.kill("SIGKILL");
  await card.exited;
  const exited = await Promise.race([program.exited, Bun.sleep(10_000).then(() => "running")]);
  if (exited === "running") program.kill("SIGKILL");
  await reading;
  return { lines, exited, atr: toHex(atr).toLowerCase(), stderr: await new Response(program.stderr).text() };
});
