/**
 * The sd_keys table: keys of supplementary security domains, and the
 * ISD's keys beside its secure channel key sets (DAP, token, receipt).
 * Plain reads and writes; the security domain decides what is allowed.
 */
import type { CardStore, StoredKeySet } from "./store.ts";

export interface DomainKey {
  sdAid: Uint8Array;
  version: number;
  id: number;
  /** GP 2.3.1 table 11-16: 80 3DES, 88 AES, A1 RSA public key, B0 EC public key. */
  type: number;
  value: Uint8Array;
}

/** Key types of symmetric secure channel keys. */
const SYMMETRIC = { DES3: 0x80, AES: 0x88 } as const;

type Row = { sd_aid: Uint8Array; version: number; id: number; type: number; value: Uint8Array };

const rowOf = (r: Row): DomainKey => ({ sdAid: new Uint8Array(r.sd_aid), version: r.version, id: r.id, type: r.type, value: new Uint8Array(r.value) });

export class DomainKeys {
  constructor(private readonly store: CardStore) {}

  /** Every key of one security domain, by version then identifier. */
  keys(sd: Uint8Array): DomainKey[] {
    return this.store.db
      .query<Row, [Uint8Array]>("SELECT * FROM sd_keys WHERE sd_aid = ? ORDER BY version, id")
      .all(sd)
      .map(rowOf);
  }

  key(sd: Uint8Array, version: number, id: number): DomainKey | undefined {
    return this.keys(sd).find((k) => k.version === version && k.id === id);
  }

  put(k: DomainKey): void {
    this.store.put("sd_keys", { sd_aid: k.sdAid, version: k.version, id: k.id, type: k.type, value: k.value });
  }

  /** Delete the keys that match; returns how many went. */
  delete(sd: Uint8Array, match: { version?: number; id?: number }): number {
    const gone = this.keys(sd).filter((k) => (match.version === undefined || k.version === match.version) && (match.id === undefined || k.id === match.id));
    const q = this.store.db.query("DELETE FROM sd_keys WHERE sd_aid = ? AND version = ? AND id = ?");
    for (const k of gone) q.run(sd, k.version, k.id);
    return gone.length;
  }

  deleteAll(sd: Uint8Array): void {
    this.store.db.query("DELETE FROM sd_keys WHERE sd_aid = ?").run(sd);
  }

  /** The secure channel key sets of a supplementary security domain: versions with keys 1, 2, 3 of one symmetric type. */
  keySets(sd: Uint8Array): StoredKeySet[] {
    const byVersion = new Map<number, DomainKey[]>();
    for (const k of this.keys(sd)) {
      if (k.type !== SYMMETRIC.DES3 && k.type !== SYMMETRIC.AES) continue;
      byVersion.set(k.version, [...(byVersion.get(k.version) ?? []), k]);
    }
    const sets: StoredKeySet[] = [];
    for (const [version, ks] of byVersion) {
      const get = (id: number) => ks.find((k) => k.id === id);
      const enc = get(1);
      const mac = get(2);
      const dek = get(3);
      if (!enc || !mac || !dek || enc.type !== mac.type || enc.type !== dek.type) continue;
      sets.push({ version, scp: enc.type === SYMMETRIC.DES3 ? 2 : 3, enc: enc.value, mac: mac.value, dek: dek.value });
    }
    return sets;
  }

  /** Store a secure channel key set for a supplementary security domain. */
  putKeySet(sd: Uint8Array, set: StoredKeySet): void {
    const type = set.scp === 2 ? SYMMETRIC.DES3 : SYMMETRIC.AES;
    [set.enc, set.mac, set.dek].forEach((value, i) => this.put({ sdAid: sd, version: set.version, id: i + 1, type, value }));
  }
}
