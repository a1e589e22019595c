/** Shared pieces of the link integration tests. */
import { readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { toHex } from "../../src/stack/bytes.ts";
import { parseLoadFile, type CapFile } from "../../src/stack/cap/load-file.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { LINK_AID } from "../../src/stack/link/constants.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { getStatusAll } from "../../src/host/gp/registry.ts";

export const CAPS = resolve(import.meta.dir, "../../../shared/fixtures/cap");
export const ALGTEST = "jcalgtest_AlgTest_v1.7.4_jc222.cap";
export const capBytes = (name: string) => new Uint8Array(readFileSync(resolve(CAPS, name)));
export const capFile = (name: string): CapFile => parseLoadFile(capBytes(name), name);
export const fixtures = () => readdirSync(CAPS).filter((n) => n.endsWith(".cap")).sort();

/** A transport that counts what passes and can be told to change commands. */
export function counting(inner: Transport, edit?: (bytes: Uint8Array, n: number) => Uint8Array): Transport & { count: number } {
  const t = {
    count: 0,
    name: inner.name ?? "counting",
    extendedLength: inner.extendedLength,
    async transmit(bytes: Uint8Array) {
      t.count++;
      return inner.transmit(edit ? edit(bytes, t.count) : bytes);
    },
  };
  return t;
}

/** The registry as GET STATUS shows it, without the link application: "kind AID lifecycle privileges". */
export async function registryLines(transport: Transport): Promise<string[]> {
  const session = await openGpSession(transport, { keys: defaultKeys("AES"), level: "mac" });
  const apps = await getStatusAll(session.channel, "apps");
  const files = await getStatusAll(session.channel, "load-files-and-modules");
  return [
    ...apps.filter((a) => toHex(a.aid) !== toHex(LINK_AID)).map((a) => `app ${toHex(a.aid)} ${a.lifecycle.toString(16)} ${a.privileges.toString(16)}`),
    ...files.map((f) => `pkg ${toHex(f.aid)} ${f.modules.map(toHex).join(",")}`),
  ].sort();
}
