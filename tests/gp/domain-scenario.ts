/**
 * The technician's scenario with security domains, on any transport to a
 * simulated card (in-process, or pcscd + vpcd): create an SSD with
 * Delegated Management and DAP Verification, put its keys, load a CAP into
 * it with a DAP and a token, install, personalise with STORE DATA, move the
 * applet to the ISD, lock and unlock the card, delete everything. After each
 * step the registry is read back (as `webcard list --json` shows it); each
 * rule the card enforces is tried once and its status word recorded.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { CommandApdu } from "../../src/stack/apdu.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { send } from "../../src/stack/transport/transport.ts";
import { defaultKeys, parseKeys, type StaticKeys } from "../../src/stack/gp/keys.ts";
import { loadFileDataBlockHash, signDap } from "../../src/stack/gp/dap.ts";
import type { DapBlock } from "../../src/stack/gp/load.ts";
import { installForInstall, installForLoad } from "../../src/stack/gp/install.ts";
import { withSignedInstallToken, DM_KEY_VERSION } from "../../src/stack/gp/token.ts";
import { parseReceiptResponse, verifyReceipt } from "../../src/stack/gp/receipt.ts";
import { getData, setStatus } from "../../src/stack/gp/commands.ts";
import { deleteKey } from "../../src/stack/gp/key-commands.ts";
import { lifecycleName } from "../../src/stack/gp/lifecycle.ts";
import { privilegeNames } from "../../src/stack/gp/privileges.ts";
import { encodeTlv } from "../../src/stack/tlv.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { list } from "../../src/host/gp/registry.ts";
import { load } from "../../src/host/gp/load.ts";
import { putKey } from "../../src/host/gp/put-key.ts";
import { createDomain, deleteWithToken, extradite, personalize, putPublic, putSingleKey, setCardState } from "../../src/host/gp/domains.ts";
import type { GpSession } from "../../src/host/gp/session.ts";
import type { CapFile } from "../../src/stack/cap/load-file.ts";

export const ISD = "A000000151000000";
export const SSD = "A00000015153504101";
export const SSD_PLAIN = "A00000015153504102";

export interface Step {
  step: string;
  registry: {
    /** The card's life cycle state (the ISD entry, GP 5.1.1). */
    card: string;
    apps: { aid: string; lifecycle: string; privileges: string[]; domain: string | undefined }[];
    loadFiles: { aid: string; domain: string | undefined }[];
  };
}

export interface ScenarioResult {
  steps: Step[];
  /** Rule -> status word the card answered. */
  refusals: Record<string, string>;
  receipts: Record<string, boolean>;
  storedObject: string;
  ssdView: { apps: string[]; loadFiles: string[] };
}

async function snapshot(session: GpSession, step: string): Promise<Step> {
  const r = await list(session);
  const hide = (aid: string) => aid.startsWith("A0000000620") || aid === "A0000001515350" || aid.startsWith("A000000151000000");
  return {
    step,
    registry: {
      card: lifecycleName("card", r.isd[0]?.lifecycle ?? 0),
      apps: r.apps
        .filter((a) => !toHex(a.aid).startsWith("F0") && !toHex(a.aid).startsWith("A0000007") && !toHex(a.aid).startsWith("D2760000"))
        .map((a) => ({
          aid: toHex(a.aid),
          lifecycle: lifecycleName(a.kind === "domain" ? "domain" : "app", a.lifecycle),
          privileges: privilegeNames(a.privileges),
          domain: a.domainAid ? toHex(a.domainAid) : undefined,
        })),
      loadFiles: r.loadFiles.filter((f) => !hide(toHex(f.aid))).map((f) => ({ aid: toHex(f.aid), domain: f.domainAid ? toHex(f.domainAid) : undefined })),
    },
  };
}

/** The SW of a command sent raw through the session. */
async function sw(session: GpSession, command: Parameters<typeof send>[1]): Promise<string> {
  const r = await send(session.channel, command);
  return r.sw.toString(16).toUpperCase().padStart(4, "0");
}

export async function runScenario(t: Transport, scp: 2 | 3, cap: CapFile): Promise<ScenarioResult> {
  const type = scp === 3 ? "AES" : "3DES";
  const factory = defaultKeys(type);
  const ssdKeys: StaticKeys = parseKeys({ key: scp === 3 ? "00112233445566778899AABBCCDDEEFF" : "0123456789ABCDEFFEDCBA9876543210" }).withType(type).withVersion(0x30);
  // The INSTALL token field has a one-byte length: RSA tokens up to 2040 bits (GP cards use 1024), or ECDSA.
  const token = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const dap = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const receiptKey = fromHex("303132333435363738393A3B3C3D3E3F");
  const isd = () => openGpSession(t, { keys: factory, level: "mac" });
  const ssd = (keys: StaticKeys) => openGpSession(t, { keys, level: "mac", isd: fromHex(SSD) });
  const steps: Step[] = [];
  const refusals: Record<string, string> = {};
  const receipts: Record<string, boolean> = {};
  const checkReceipt = (name: string, data: Uint8Array | undefined, aids: string[]) => {
    const parsed = data ? parseReceiptResponse(data) : undefined;
    receipts[name] = parsed !== undefined && verifyReceipt(receiptKey, type, parsed.receipt, parsed.confirmation, aids.map(fromHex));
  };

  // 1. The issuer's keys on the ISD: token verification (70) and receipt (71); an SSD with DM and DAP verification.
  let s = await isd();
  await putPublic(s, token.publicKey, DM_KEY_VERSION.TOKEN);
  await putSingleKey(s, receiptKey, DM_KEY_VERSION.RECEIPT);
  await createDomain(s, fromHex(SSD), { privileges: 0xe00000 }); // security domain + delegated management + DAP verification
  await createDomain(s, fromHex(SSD_PLAIN));
  steps.push(await snapshot(s, "ssd created"));

  // 2. The SSD's own keys replace the factory set; then its DAP key (73).
  s = await ssd(factory);
  await putKey(s, ssdKeys);
  s = await ssd(ssdKeys);
  await putPublic(s, dap.publicKey, DM_KEY_VERSION.DAP);
  refusals["delete the key set in use"] = await sw(s, deleteKey({ version: 0x30 }));
  steps.push(await snapshot(await isd(), "ssd keys put"));

  // 3. Load into the SSD with a DAP and a token; the card answers with a receipt.
  const hash = loadFileDataBlockHash(cap.lfdb);
  s = await ssd(ssdKeys);
  const pkg = toHex(cap.packageAid);
  const badDap = signDap(fromHex(SSD), loadFileDataBlockHash(cap.lfdb, "sha1"), dap.privateKey);
  refusals["load without token"] = await sw(s, installForLoad({ packageAid: cap.packageAid, hash }));
  refusals["load with a bad token"] = await sw(s, withSignedInstallToken(installForLoad({ packageAid: cap.packageAid, hash }), generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey));
  refusals["load with a bad DAP"] = await loadSw(s, cap, hash, [{ securityDomainAid: fromHex(SSD), signature: badDap.signature }], token.privateKey);
  s = await ssd(ssdKeys);
  refusals["load without DAP"] = await loadSw(s, cap, hash, [], token.privateKey);
  s = await ssd(ssdKeys);
  const loaded = await load(s, cap, { hash, dap: [signDap(fromHex(SSD), hash, dap.privateKey)], tokenKey: token.privateKey });
  checkReceipt("load", loaded.receipt, [pkg, SSD]);
  steps.push(await snapshot(await isd(), "loaded into ssd"));

  // 4. Install in the SSD with a token; the SSD sees only its own content.
  s = await ssd(ssdKeys);
  const applet = cap.applets[0]!.aid;
  const inst = withSignedInstallToken(installForInstall({ packageAid: cap.packageAid, moduleAid: applet, instanceAid: applet, params: new Uint8Array(0) }), token.privateKey);
  const r = await send(s.channel, inst);
  checkReceipt("install", r.data, [pkg, toHex(applet)]);
  const seen = await list(s).catch(() => undefined);
  const ssdView = { apps: (seen?.apps ?? []).map((a) => toHex(a.aid)), loadFiles: (seen?.loadFiles ?? []).map((f) => toHex(f.aid)) };
  refusals["ssd reads the ISD entry"] = await sw(s, CommandApdu.parse(fromHex("80F28002024F0000")));
  steps.push(await snapshot(await isd(), "installed in ssd"));

  // 5. STORE DATA: to the applet (through the SSD), and to the SSD itself (data object 45, read back with GET DATA).
  s = await ssd(ssdKeys);
  await personalize(s, applet, [encodeTlv(0x5f20, fromHex("0102030405"))], { format: "ber-tlv" });
  await personalize(s, undefined, [encodeTlv(0x45, fromHex("11223344"))], { format: "ber-tlv" });
  const stored = await send(s.channel, getData(0x0045));
  steps.push(await snapshot(await isd(), "personalized"));

  // 6. Move the applet to the ISD (extradition with a token, receipt).
  s = await ssd(ssdKeys);
  checkReceipt("extradition", await extradite(s, applet, fromHex(ISD), token.privateKey), [ISD, toHex(applet)]);
  steps.push(await snapshot(await isd(), "moved to isd"));

  // 7. An SSD without DM or AM takes no load.
  const plain = await openGpSession(t, { keys: factory, level: "mac", isd: fromHex(SSD_PLAIN) });
  refusals["load through an SSD without DM"] = await sw(plain, installForLoad({ packageAid: fromHex("A0000000010203"), hash }));

  // 8. Lock and unlock the card.
  s = await isd();
  await setCardState(s, "lock");
  refusals["install on a locked card"] = await sw(s, installForInstall({ packageAid: cap.packageAid, moduleAid: applet, instanceAid: fromHex("A0000000AA0001") }));
  steps.push(await snapshot(s, "card locked"));
  await setCardState(s, "unlock");
  refusals["terminate without --allow-terminate"] = await sw(s, setStatus("isd", 0xff, fromHex(ISD)));
  steps.push(await snapshot(s, "card unlocked"));

  // 9. Delete everything: the applet (ISD), the package (SSD, token, receipt), both SSDs (ISD).
  s = await isd();
  refusals["delete an SSD with content"] = await sw(s, CommandApdu.parse(fromHex(`80E400000B4F09${SSD}00`)));
  await deleteWithToken(s, applet, false);
  s = await ssd(ssdKeys);
  checkReceipt("delete", await deleteWithToken(s, cap.packageAid, true, token.privateKey), [pkg]);
  s = await isd();
  await deleteWithToken(s, fromHex(SSD), false);
  await deleteWithToken(s, fromHex(SSD_PLAIN), false);
  steps.push(await snapshot(s, "all deleted"));
  return { steps, refusals, receipts, storedObject: toHex(stored.data) + stored.sw.toString(16).toUpperCase(), ssdView };
}

async function loadSw(s: GpSession, cap: CapFile, hash: Uint8Array, dap: readonly DapBlock[], tokenKey: KeyObject): Promise<string> {
  try {
    await load(s, cap, { hash, dap, tokenKey });
    return "9000";
  } catch (error) {
    const m = /\b(6[0-9A-F]{3})\b/.exec(String((error as Error).message));
    return m?.[1] ?? String(error);
  }
}

