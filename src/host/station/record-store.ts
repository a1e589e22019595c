/**
 * The job's record and data queue in SQL, through Bun's one SQL client for
 * both SQLite (one station, a file beside the job) and PostgreSQL (a queue
 * several stations share). Rows are appended, never changed (triggers
 * refuse UPDATE and DELETE), each chained to the one before by its hash.
 *
 * Claiming a data row for a card: on PostgreSQL the card's whole work runs
 * inside one transaction that holds the row with SELECT ... FOR UPDATE SKIP
 * LOCKED, so another station skips it, and a station that dies mid-card
 * drops its connection, which rolls back and frees the row. On SQLite (one
 * process) the claim is kept in memory while the card is worked on and the
 * row is marked used in the short transaction that appends the card's row.
 * Either way a row is used by one card only: a unique index on the data row
 * of successful records backs it.
 */
import { SQL } from "bun";
import { UsageError, WebcardError } from "../../stack/errors.ts";
import { chainHash, GENESIS, verifyChain, type ChainReport, type StoredRow } from "./record-chain.ts";
import type { CardOutcome, CardRecord, DataRow } from "./record.ts";
import type { Job } from "./job.ts";

type Dialect = "sqlite" | "postgres";

const TABLES = [
  "CREATE TABLE IF NOT EXISTS job (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, name TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS data_rows (n INTEGER PRIMARY KEY, line INTEGER NOT NULL, match_key TEXT, vals TEXT NOT NULL, used_by TEXT)",
  "CREATE TABLE IF NOT EXISTS record (seq INTEGER PRIMARY KEY, identity TEXT NOT NULL, result TEXT NOT NULL, data_row INTEGER, body TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
  "CREATE UNIQUE INDEX IF NOT EXISTS record_card_done ON record (identity) WHERE result = 'ok'",
  "CREATE UNIQUE INDEX IF NOT EXISTS record_row_used ON record (data_row) WHERE result = 'ok'",
  "CREATE INDEX IF NOT EXISTS data_rows_key ON data_rows (match_key)",
  "CREATE TABLE IF NOT EXISTS chain_head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL)",
];

const APPEND_ONLY: Record<Dialect, string[]> = {
  sqlite: [
    "CREATE TRIGGER IF NOT EXISTS record_no_update BEFORE UPDATE ON record BEGIN SELECT RAISE(ABORT, 'the record is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS record_no_delete BEFORE DELETE ON record BEGIN SELECT RAISE(ABORT, 'the record is append-only'); END",
  ],
  postgres: [
    "CREATE OR REPLACE FUNCTION webcard_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the record is append-only'; END $$",
    "CREATE OR REPLACE TRIGGER record_append_only BEFORE UPDATE OR DELETE ON record FOR EACH ROW EXECUTE FUNCTION webcard_append_only()",
  ],
};

/** The advisory lock key that serialises schema creation on PostgreSQL ("wcjb" in ASCII). */
const SCHEMA_LOCK = 0x77636a62;

/**
 * Connections a station keeps to PostgreSQL: each card being worked on holds
 * one for its transaction, so this bounds the readers worked on at once per
 * station (more wait for a free one); PostgreSQL's own default is 100 clients.
 */
const POSTGRES_CONNECTIONS = 10;

/** Where a record lives, without a password: for messages. */
export function describeDb(where: string): string {
  return where.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, "$1:***@");
}

export interface RecordStoreOptions {
  /** A SQLite file path, or a postgres:// URL. */
  where: string;
}

/** The record and data queue of one job. */
export class RecordStore {
  readonly dialect: Dialect;
  readonly where: string;
  readonly #sql: SQL;
  /** SQLite: data rows claimed by cards being worked on in this process. */
  readonly #claimed = new Set<number>();

  private constructor(sql: SQL, dialect: Dialect, where: string) {
    this.#sql = sql;
    this.dialect = dialect;
    this.where = where;
  }

  /** Open (creating when needed) the record at `where`. */
  static async open(where: string): Promise<RecordStore> {
    const postgres = /^postgres(ql)?:\/\//i.test(where);
    let sql: SQL;
    try {
      sql = postgres ? new SQL(where, { max: POSTGRES_CONNECTIONS, idleTimeout: 30, connectionTimeout: 15 }) : new SQL({ adapter: "sqlite", filename: where });
      const store = new RecordStore(sql, postgres ? "postgres" : "sqlite", where);
      if (!postgres) await sql.unsafe("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL");
      await sql.begin(async (tx) => {
        // Stations starting together would race in PostgreSQL's catalog (CREATE ... IF NOT EXISTS is not
        // safe against a concurrent CREATE): one at a time, under a transaction-scoped advisory lock.
        if (postgres) await tx`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`;
        for (const ddl of [...TABLES, ...APPEND_ONLY[store.dialect]]) await tx.unsafe(ddl);
      });
      return store;
    } catch (error) {
      throw new WebcardError(`Cannot open the job's record at ${describeDb(where)}: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Bind the record to `job` (the first station stores the job's hash and its
   * data rows; later ones must bring the same job).
   */
  async bind(job: Job): Promise<void> {
    await this.#sql.begin(async (tx) => {
      if (this.dialect === "postgres") await tx`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`;
      const made = await tx`INSERT INTO job (id, hash, name) VALUES (1, ${job.hash}, ${job.name}) ON CONFLICT (id) DO NOTHING RETURNING id`;
      if (made.length === 0) {
        const [row] = await tx`SELECT hash, name FROM job WHERE id = 1`;
        if (row.hash !== job.hash) {
          throw new UsageError(`The record at ${describeDb(this.where)} belongs to job '${row.name}' (${String(row.hash).slice(0, 16)}), not to this job file (${job.hash.slice(0, 16)})`, {
            hint: "a changed job (or a changed CAP or CSV file) needs a record of its own: give another --db",
          });
        }
        return;
      }
      await tx`INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, ${GENESIS})`;
      const rows = job.data?.csv.rows ?? [];
      const column = job.data?.match === "identity" ? job.data.column : undefined;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const key = column ? r.values[column]!.toUpperCase() : null;
        await tx`INSERT INTO data_rows (n, line, match_key, vals) VALUES (${i + 1}, ${r.line}, ${key}, ${JSON.stringify(r.values)})`;
      }
    });
  }

  /** The successful row of a card already done, if any. */
  async done(identity: string): Promise<CardRecord | undefined> {
    const [row] = await this.#sql`SELECT body FROM record WHERE identity = ${identity} AND result = 'ok'`;
    return row ? (JSON.parse(row.body) as CardRecord) : undefined;
  }

  /** How many data rows are left unused (not counting claims in progress). */
  async rowsLeft(): Promise<number> {
    const [row] = await this.#sql`SELECT count(*) AS n FROM data_rows WHERE used_by IS NULL`;
    return Number(row.n);
  }

  /**
   * Work on one card: claim its data row (by identity, or the next unused one
   * in order, when the job has data), run `work`, append the outcome to the
   * record and, when it succeeded, mark the row used. `work` gets undefined
   * when the job has no data; a job with data and no row for the card gets a
   * failed outcome without `work` running.
   */
  async withCard(job: Job, identity: string, work: (row: DataRow | undefined) => Promise<CardOutcome>, noRow: (why: string) => CardOutcome): Promise<CardRecord> {
    return this.dialect === "postgres" ? this.#withCardPostgres(job, identity, work, noRow) : this.#withCardSqlite(job, identity, work, noRow);
  }

  async #withCardPostgres(job: Job, identity: string, work: (row: DataRow | undefined) => Promise<CardOutcome>, noRow: (why: string) => CardOutcome): Promise<CardRecord> {
    return this.#sql.begin(async (tx) => {
      let row: DataRow | undefined;
      if (job.data) {
        const found = job.data.match === "identity"
          ? await tx`SELECT n, line, vals FROM data_rows WHERE match_key = ${identity} AND used_by IS NULL LIMIT 1 FOR UPDATE SKIP LOCKED`
          : await tx`SELECT n, line, vals FROM data_rows WHERE used_by IS NULL ORDER BY n LIMIT 1 FOR UPDATE SKIP LOCKED`;
        row = found[0] ? { n: found[0].n, line: found[0].line, values: JSON.parse(found[0].vals) } : undefined;
        if (!row) return this.#append(tx, job, noRow(await this.#whyNoRow(tx, job, identity)), null);
      }
      const outcome = await work(row);
      const used = outcome.result === "ok" && row ? row.n : null;
      const record = await this.#append(tx, job, { ...outcome, ...(row ? { dataLine: row.line } : {}) }, used);
      if (used !== null) await tx`UPDATE data_rows SET used_by = ${identity} WHERE n = ${used}`;
      return record;
    });
  }

  async #withCardSqlite(job: Job, identity: string, work: (row: DataRow | undefined) => Promise<CardOutcome>, noRow: (why: string) => CardOutcome): Promise<CardRecord> {
    let row: DataRow | undefined;
    if (job.data) {
      let pick: { n: number; line: number; vals: string } | undefined;
      for (;;) {
        // Enough rows to pass every claim in progress; another card may claim while this query runs: then ask again.
        const limit = this.#claimed.size + 1;
        const free = (job.data.match === "identity"
          ? await this.#sql`SELECT n, line, vals FROM data_rows WHERE match_key = ${identity} AND used_by IS NULL`
          : await this.#sql`SELECT n, line, vals FROM data_rows WHERE used_by IS NULL ORDER BY n LIMIT ${limit}`) as { n: number; line: number; vals: string }[];
        pick = free.find((r) => !this.#claimed.has(r.n));
        if (pick || job.data.match === "identity" || free.length < limit) break;
      }
      if (!pick) return this.#sql.begin(async (tx) => this.#append(tx, job, noRow(await this.#whyNoRow(tx, job, identity)), null));
      row = { n: pick.n, line: pick.line, values: JSON.parse(pick.vals) };
      this.#claimed.add(pick.n);
    }
    try {
      const outcome = await work(row);
      const used = outcome.result === "ok" && row ? row.n : null;
      return await this.#sql.begin(async (tx) => {
        if (used !== null) {
          const taken = await tx`UPDATE data_rows SET used_by = ${identity} WHERE n = ${used} AND used_by IS NULL RETURNING n`;
          if (taken.length === 0) throw new WebcardError(`Data row ${used} was used by another station meanwhile: one SQLite record serves one station (share a --queue postgres://... instead)`);
        }
        return this.#append(tx, job, { ...outcome, ...(row ? { dataLine: row.line } : {}) }, used);
      });
    } finally {
      if (row) this.#claimed.delete(row.n);
    }
  }

  async #whyNoRow(tx: SQL, job: Job, identity: string): Promise<string> {
    if (job.data?.match === "identity") {
      const [r] = await tx`SELECT used_by FROM data_rows WHERE match_key = ${identity}`;
      return r ? `the data row of card ${identity} is already used` : `${job.data.file} has no row for card ${identity}`;
    }
    return `every data row of ${job.data?.file} is used`;
  }

  /** Append one row at the chain's head (locked on PostgreSQL; SQLite writes one transaction at a time). */
  async #append(tx: SQL, job: Job, outcome: CardOutcome, dataRow: number | null): Promise<CardRecord> {
    const [head] = this.dialect === "postgres" ? await tx`SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE` : await tx`SELECT seq, hash FROM chain_head WHERE id = 1`;
    if (!head) throw new WebcardError("The record has no chain head: it was not made by webcard or was damaged (run webcard job verify)");
    const seq = Number(head.seq) + 1;
    const record: CardRecord = { seq, job: job.hash.slice(0, 16), ...outcome, dataRow };
    const body = JSON.stringify(record);
    const hash = chainHash(head.hash, body);
    await tx`INSERT INTO record (seq, identity, result, data_row, body, prev_hash, hash) VALUES (${seq}, ${record.identity}, ${record.result}, ${dataRow}, ${body}, ${head.hash}, ${hash})`;
    await tx`UPDATE chain_head SET seq = ${seq}, hash = ${hash} WHERE id = 1`;
    return record;
  }

  /** Every row, in order. */
  async records(): Promise<CardRecord[]> {
    const rows = await this.#sql`SELECT body FROM record ORDER BY seq`;
    return (rows as { body: string }[]).map((r) => JSON.parse(r.body) as CardRecord);
  }

  /** Check the hash chain. */
  async verify(): Promise<ChainReport> {
    const rows = (await this.#sql`SELECT seq, identity, result, data_row, body, prev_hash, hash FROM record ORDER BY seq`) as Record<string, unknown>[];
    const [head] = await this.#sql`SELECT seq, hash FROM chain_head WHERE id = 1`;
    const stored: StoredRow[] = rows.map((r) => ({
      seq: Number(r.seq),
      identity: String(r.identity),
      result: String(r.result),
      dataRow: r.data_row === null ? null : Number(r.data_row),
      body: String(r.body),
      prevHash: String(r.prev_hash),
      hash: String(r.hash),
    }));
    return verifyChain(stored, head ? { seq: Number(head.seq), hash: String(head.hash) } : undefined);
  }

  async close(): Promise<void> {
    await this.#sql.close();
  }
}

/** The record of a job file when no --db is given: beside it, `batch7.toml` -> `batch7.record.sqlite`. */
export function defaultRecordPath(jobFile: string): string {
  return jobFile.replace(/\.(json|toml)$/i, "") + ".record.sqlite";
}
