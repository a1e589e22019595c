/**
 * Put SCP11 keys on the card in an open secure channel (SCP03 or SCP11):
 * the CA-KLOC public key OCE certificates must chain to (KID 10), or the
 * SD's ECKA key pair (KID 11, 13, 15) with its certificate chain (PUT KEY
 * then STORE DATA of the certificate store, amendment F 6.1 and 7.4). The
 * private key travels encrypted under the session's DEK; nothing is printed
 * but fingerprints. Byte layouts: src/stack/gp/scp11/put-key.ts.
 */
import { check } from "../../stack/check.ts";
import { equal } from "../../stack/bytes.ts";
import { SecurityError, UsageError } from "../../stack/errors.ts";
import { parseKeyInformation } from "../../stack/gp/key-info.ts";
import { getData } from "../../stack/gp/commands.ts";
import { DATA_TAG } from "../../stack/gp/constants.ts";
import { parseCertificate } from "../../stack/gp/scp11/certificate.ts";
import type { EcKey } from "../../stack/gp/scp11/curves.ts";
import { SCP11_KID } from "../../stack/gp/scp11/handshake.ts";
import { certificateStoreData, putEcPrivateKey, putEcPublicKey } from "../../stack/gp/scp11/put-key.ts";
import { storeData, storeDataP1 } from "../../stack/gp/store-data.ts";
import { inTransaction, send } from "../../stack/transport/transport.ts";
import type { GpSession } from "./session.ts";

/** An SCP11 key the card lists in its key information (GET DATA 00E0). */
interface ListedKey {
  kid: number;
  kvn: number;
}

const SD_KIDS: readonly number[] = [SCP11_KID.a, SCP11_KID.b, SCP11_KID.c];

async function scp11KeysListed(session: GpSession): Promise<ListedKey[]> {
  const r = await send(session.channel, getData(DATA_TAG.KEY_INFORMATION));
  if (!r.ok) return [];
  return parseKeyInformation(r.data)
    .filter((k) => k.id === SCP11_KID.OCE || SD_KIDS.includes(k.id))
    .map((k) => ({ kid: k.id, kvn: k.version }));
}

/** The session's data encryption key: SCP03's DEK or SCP11's S-DEK (both AES). */
function sessionDek(session: GpSession): Uint8Array {
  if (session.scp11) return session.scp11.dek;
  if (session.secure?.scp === 3) return session.secure.dek;
  throw new UsageError("An SCP11 private key travels under an AES DEK: open the session with --scp 03 or --scp 11a/11b/11c");
}

function checkVersion(answer: Uint8Array, kvn: number, what: string): void {
  if (answer.length > 0 && answer[0] !== kvn) throw new SecurityError(`PUT KEY of ${what} answered version ${answer[0]}, not ${kvn}`);
}

/** What was put, for the report: key identifiers and the version. */
export interface Scp11PutResult {
  kids: number[];
  kvn: number;
}

/** PUT KEY of the CA-KLOC public key (KID 10), replacing the one at `kvn` (default: the version the card lists, else 1). */
export function putScp11CaKey(session: GpSession, key: EcKey, kvn?: number): Promise<Scp11PutResult> {
  return inTransaction(session.channel, "put-key", async () => {
    const listed = (await scp11KeysListed(session)).find((k) => k.kid === SCP11_KID.OCE);
    const version = kvn ?? listed?.kvn ?? 1;
    const replace = listed?.kvn === version ? version : 0;
    const r = check(await send(session.channel, putEcPublicKey({ curve: key.curve, point: key.point }, SCP11_KID.OCE, version, replace)), "PUT KEY (SCP11 CA-KLOC key)");
    checkVersion(r.data, version, "the CA-KLOC key");
    return { kids: [SCP11_KID.OCE], kvn: version };
  });
}

/**
 * PUT KEY of the SD's ECKA key pair and STORE DATA of its certificate chain,
 * for every SCP11 key identifier the card lists (11, 13, 15); the chain's
 * last certificate must certify that key.
 */
export function putScp11SdKey(session: GpSession, key: EcKey & { d: Uint8Array }, certificates: readonly Uint8Array[], kvn?: number): Promise<Scp11PutResult> {
  if (certificates.length === 0) throw new UsageError("The SD's ECKA key needs its certificate: give --scp11-cert FILE (the chain, CA side first)");
  const last = parseCertificate(certificates[certificates.length - 1]!);
  if (!equal(last.publicKey.point, key.point)) {
    throw new UsageError("The last --scp11-cert does not certify the --scp11-key: give the key's own certificate last");
  }
  const dek = sessionDek(session);
  return inTransaction(session.channel, "put-key", async () => {
    const sdKeys = (await scp11KeysListed(session)).filter((k) => SD_KIDS.includes(k.kid));
    if (sdKeys.length === 0) throw new UsageError("The card lists no SCP11 key (11, 13 or 15) in its key information: it has no SCP11 key to replace");
    for (const listed of sdKeys) {
      const version = kvn ?? listed.kvn;
      const r = check(await send(session.channel, putEcPrivateKey(key, listed.kid, version, dek, listed.kvn === version ? version : 0)), "PUT KEY (SCP11 ECKA key)");
      checkVersion(r.data, version, "the ECKA key");
      // One command: the store is one BER-TLV object (extended length where the path carries it).
      check(await send(session.channel, storeData(0, certificateStoreData(listed.kid, version, certificates), storeDataP1(true, "ber-tlv"))), "STORE DATA (SCP11 certificates)");
    }
    return { kids: sdKeys.map((k) => k.kid), kvn: kvn ?? sdKeys[0]!.kvn };
  });
}
