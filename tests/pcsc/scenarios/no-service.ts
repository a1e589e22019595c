/**
 * No pcscd: run inside runIsolated() without starting one (the namespace's
 * /run/pcscd is an empty tmpfs), so PC/SC calls find no service while the
 * shared pcscd keeps running for everyone else.
 */
import { listReaders } from "../../../src/host/pcsc/readers.ts";
import { connectReader } from "../../../src/host/pcsc/connect.ts";
import { failureOf } from "./run.ts";
import { BUN, ROOT } from "../isolated.ts";

const list = await failureOf(listReaders());
const connect = await failureOf(connectReader({ reader: "1" }));
const p = Bun.spawn([BUN, `${ROOT}/src/cli.ts`, "readers"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
const [stderr, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
process.stdout.write(JSON.stringify({ ok: true, list, connect, cli: { code, stderr } }) + "\n");
process.exit(0);
