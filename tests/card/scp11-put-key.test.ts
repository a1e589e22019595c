/**
 * PUT KEY under SCP11 as a user meets it (the CLI on a simulated card's
 * state file): an SCP03 key set put over an SCP11a session; the CA-KLOC key
 * replaced, after which only OCE certificates of the new CA open a session;
 * the SD's ECKA key pair replaced with its certificate (PUT KEY B1 under
 * S-DEK, then STORE DATA of the certificate store), after which the card
 * proves the new key. Refusals in one line with the card unchanged.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { ResponseApdu } from "../../src/stack/apdu.ts";
import { fromHex } from "../../src/stack/bytes.ts";
import { CERT_USAGE, issueCertificate, keyIdentifier } from "../../src/stack/gp/scp11/certificate.ts";
import { CURVES, ecKeyPem, generateEcKey, type EcKey } from "../../src/stack/gp/scp11/curves.ts";
import { fingerprint } from "../../src/stack/gp/scp11/fingerprint.ts";
import { generateOce } from "../../src/stack/gp/scp11/oce.ts";
import { openScp11Channel } from "../../src/stack/gp/scp11/open.ts";
import { putEcPrivateKey, putEcPublicKey } from "../../src/stack/gp/scp11/put-key.ts";
import { webcard } from "../harness/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-scp11-putkey-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const curve = CURVES["P-256"];
const NEW_KEY = "00112233445566778899AABBCCDDEEFF";

function files(name: string, key: EcKey & { d: Uint8Array }, certificate?: Uint8Array): { key: string; cert: string } {
  const paths = { key: join(dir, `${name}.pem`), cert: join(dir, `${name}.gp`) };
  writeFileSync(paths.key, ecKeyPem(key), { mode: 0o600 });
  if (certificate) writeFileSync(paths.cert, certificate);
  return paths;
}

function sdCertificate(sd: EcKey, ca: EcKey & { d: Uint8Array }): Uint8Array {
  const now = Date.now();
  return issueCertificate(
    {
      serial: Uint8Array.of(7),
      caKlocId: keyIdentifier(ca),
      subjectId: keyIdentifier(sd),
      keyUsage: CERT_USAGE.KEY_AGREEMENT,
      effective: new Date(now - 86_400_000),
      expiration: new Date(now + 86_400_000 * 365),
      publicKey: { curve: sd.curve, point: sd.point },
    },
    ca,
  );
}

function digestOf(state: string): string {
  const card = createSimulatedCard({ statePath: state });
  try {
    return card.stateDigest();
  } finally {
    card.close();
  }
}

function oneLine(r: ReturnType<typeof webcard>, code: number, text: string) {
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toContain(text);
  expect(r.code).toBe(code);
}

describe("put-key under SCP11 through the CLI", () => {
  const ca = generateEcKey(curve);
  const caFiles = files("ca", ca);
  const oce = generateOce({ ca });
  const oceFiles = files("oce", oce.key, oce.certificate);
  const state = join(dir, "card.sqlite");
  createSimulatedCard({ statePath: state, scp11: { curve, variants: ["a", "b", "c"], ca } }).close();
  const scp11a = ["--sim", state, "--scp", "11a", "--oce-key", oceFiles.key, "--oce-cert", oceFiles.cert, "--ca-key", caFiles.key];

  test("an SCP03 key set over SCP11a: added (replacing the factory set), then it opens SCP03", () => {
    const r = webcard(["put-key", ...scp11a, "--new-key", NEW_KEY, "--new-key-version", "2"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Key set version 2 added");
    expect(r.stdout).not.toContain(NEW_KEY);
    expect(webcard(["list", "--sim", state, "--key", NEW_KEY, "--key-version", "2"]).code).toBe(0);
    // Again, the same version: replaced in place, not refused.
    expect(webcard(["put-key", ...scp11a, "--new-key", NEW_KEY, "--new-key-version", "2"]).stdout).toContain("Key set version 2 replaced");
  });

  test("the SD's new ECKA key with its certificate: the card then proves that key", () => {
    const sd = generateEcKey(curve);
    const sdFiles = files("sd", sd, sdCertificate(sd, ca));
    const r = webcard(["put-key", ...scp11a, "--scp11-key", sdFiles.key, "--scp11-cert", sdFiles.cert]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`SCP11 ECKA key put as key 11, 13, 15 version 1: P-256 ${fingerprint(sd.point)}, with 1 certificate\n`);
    expect(r.stdout).not.toContain(ecKeyPem(sd).split("\n")[1]!);
    const info = webcard(["info", "--sim", state]);
    expect(info.stdout).toContain(fingerprint(sd.point));
    const list = webcard(["list", "--sim", state, "--scp", "11b", "--ca-key", caFiles.key]);
    expect(list.stderr).toBe("");
    expect(list.code).toBe(0);
  });

  test("a certificate of another key: refused on the terminal in one line, card unchanged", () => {
    const before = digestOf(state);
    const sd = generateEcKey(curve);
    const other = generateEcKey(curve);
    const wrong = files("wrong", sd, sdCertificate(other, ca));
    oneLine(webcard(["put-key", ...scp11a, "--scp11-key", wrong.key, "--scp11-cert", wrong.cert]), 2, "The last --scp11-cert does not certify the --scp11-key");
    expect(digestOf(state)).toBe(before);
  });

  test("a new CA-KLOC key: the old CA's OCE is refused in one line, the new CA's opens", () => {
    const ca2 = generateEcKey(curve);
    const ca2Files = files("ca2", ca2);
    const r = webcard(["put-key", ...scp11a, "--scp11-ca", ca2Files.key]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`SCP11 CA-KLOC key put as key 10 version 1: P-256 ${fingerprint(ca2.point)}`);
    const before = digestOf(state);
    oneLine(webcard(["list", ...scp11a]), 1, "PERFORM SECURITY OPERATION failed with 6A80");
    expect(digestOf(state)).toBe(before);
    const oce2 = generateOce({ ca: ca2 });
    const oce2Files = files("oce2", oce2.key, oce2.certificate);
    const ok = webcard(["list", "--sim", state, "--scp", "11a", "--oce-key", oce2Files.key, "--oce-cert", oce2Files.cert, "--ca-key", caFiles.key]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
  });
});

describe("the card's PUT KEY of SCP11 keys, command by command", () => {
  const ca = generateEcKey(curve);
  const oce = generateOce({ ca });
  const selectIsd = fromHex("00A4040008A00000015100000000");

  async function session(card: ReturnType<typeof createSimulatedCard>) {
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    return openScp11Channel(t, { variant: "a", oce: { key: oce.key, certificates: [oce.certificate] } });
  }
  const sw = async (ch: Awaited<ReturnType<typeof session>>, bytes: Uint8Array) => ResponseApdu.parse(await ch.transmit(bytes)).sw;

  test("another key version, a private key on key 10, a key outside the variants: each refused, card unchanged", async () => {
    const log: string[] = [];
    const card = createSimulatedCard({ scp11: { curve, variants: ["a"], ca }, log: (l) => log.push(l) });
    const ch = await session(card);
    const before = card.stateDigest();
    const key = generateEcKey(curve);
    expect(await sw(ch, putEcPublicKey(key, 0x10, 2).toBytes())).toBe(0x6a80);
    expect(log.at(-1)).toContain("this card keeps its SCP11 keys at key version 01");
    expect(await sw(ch, putEcPrivateKey(key, 0x10, 1, ch.dek, 1).toBytes())).toBe(0x6a80);
    expect(log.at(-1)).toContain("the CA-KLOC key (10) is a public key");
    expect(await sw(ch, putEcPrivateKey(key, 0x13, 1, ch.dek, 1).toBytes())).toBe(0x6a88);
    expect(log.at(-1)).toContain("the card offers no SCP11 variant on key 13");
    expect(card.stateDigest()).toBe(before);
  });

  test("a new ECKA key empties the certificate store until STORE DATA gives a chain for that key", async () => {
    const card = createSimulatedCard({ scp11: { curve, variants: ["a"], ca } });
    const ch = await session(card);
    const key = generateEcKey(curve);
    expect(await sw(ch, putEcPrivateKey(key, 0x11, 1, ch.dek, 1).toBytes())).toBe(0x9000);
    const store = ResponseApdu.parse(await ch.transmit(fromHex("80CABF2106A6048302110100")));
    expect(store.sw).toBe(0x9000);
    expect(store.data).toEqual(fromHex("BF2100"));
  });
});
