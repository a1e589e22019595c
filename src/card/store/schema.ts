/**
 * The card's persistent memory as SQLite tables. Everything a real card keeps
 * in EEPROM lives here; everything it loses at power-off (selection, secure
 * channel session, GET STATUS paging, a load in progress) lives in memory.
 *
 * AIDs and keys are BLOBs; life cycle states and privileges use the values of
 * GP Card Specification 2.3.1 sections 5 and 6.6.1. Every table ends with
 * `crc`, the row's checksum (rows.ts): a new table must too, and must be
 * written only through `CardStore.put` so that power-on can check it.
 */
/**
 * Keys held by security domains besides the ISD's secure channel key sets
 * (GP 11.8): supplementary domains' SCP keys (id 1 ENC, 2 MAC, 3 DEK), DAP,
 * token and receipt keys. type: GP table 11-16 (80 3DES, 88 AES, A1 RSA
 * public, B0 EC public); value: the key, or a public key's PUT KEY data.
 * Created with IF NOT EXISTS: memories written before it get it at
 * power-on (open-file.ts), with the same text, so the schema check agrees.
 */
export const SD_KEYS_TABLE = `CREATE TABLE IF NOT EXISTS sd_keys (
  sd_aid  BLOB NOT NULL,
  version INTEGER NOT NULL,
  id      INTEGER NOT NULL,
  type    INTEGER NOT NULL,
  value   BLOB NOT NULL,
  crc     BLOB NOT NULL,
  PRIMARY KEY (sd_aid, version, id)
);`;

export const SCHEMA_VERSION = 3;

/**
 * The JCVM's heap (src/card/jcvm/heap-store.ts), added in format 3: objects
 * by id, applet instances, package static images, and the generation
 * counter the JCVM uses to notice a rolled-back command.
 */
export const HEAP_SCHEMA = `
CREATE TABLE jcvm_objects (
  id    INTEGER PRIMARY KEY,
  size  INTEGER NOT NULL,
  data  TEXT NOT NULL,
  bytes BLOB,
  crc   BLOB NOT NULL
);
CREATE TABLE jcvm_applets (
  aid     BLOB PRIMARY KEY,
  package BLOB NOT NULL,
  object  INTEGER NOT NULL,
  crc     BLOB NOT NULL
);
CREATE TABLE jcvm_statics (
  package BLOB PRIMARY KEY,
  refs    TEXT NOT NULL,
  prim    BLOB NOT NULL,
  crc     BLOB NOT NULL
);
CREATE TABLE jcvm_state (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL,
  crc        BLOB NOT NULL
);
`;

export const SCHEMA = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  crc   BLOB NOT NULL
);
-- Key sets of the ISD (GP 11.8 PUT KEY): one row per key version number.
CREATE TABLE key_sets (
  version INTEGER PRIMARY KEY,
  scp     INTEGER NOT NULL,
  enc     BLOB NOT NULL,
  mac     BLOB NOT NULL,
  dek     BLOB NOT NULL,
  crc     BLOB NOT NULL
);
-- Executable load files (GP 5.2), whole or not at all; hash = SHA-256 of lfdb, checked when read.
CREATE TABLE load_files (
  aid       BLOB PRIMARY KEY,
  major     INTEGER NOT NULL,
  minor     INTEGER NOT NULL,
  lifecycle INTEGER NOT NULL,
  sd_aid    BLOB NOT NULL,
  lfdb      BLOB NOT NULL,
  hash      BLOB NOT NULL,
  crc       BLOB NOT NULL
);
-- Executable modules (applet classes) of each load file, from its Applet component.
CREATE TABLE modules (
  aid            BLOB PRIMARY KEY,
  load_file      BLOB NOT NULL,
  install_offset INTEGER NOT NULL,
  crc            BLOB NOT NULL
);
-- Packages each load file imports, to refuse deleting a package others depend on.
CREATE TABLE imports (
  load_file BLOB NOT NULL,
  aid       BLOB NOT NULL,
  major     INTEGER NOT NULL,
  minor     INTEGER NOT NULL,
  crc       BLOB NOT NULL
);
-- Application instances (GP 5.3). builtin = an in-process CardApplication (no load file).
CREATE TABLE applications (
  aid        BLOB PRIMARY KEY,
  load_file  BLOB,
  module     BLOB,
  privileges BLOB NOT NULL,
  lifecycle  INTEGER NOT NULL,
  params     BLOB NOT NULL,
  sd_aid     BLOB NOT NULL,
  builtin    INTEGER NOT NULL DEFAULT 0,
  crc        BLOB NOT NULL
);
-- Each application's own persistent data (AppContext.store).
CREATE TABLE app_data (
  app   BLOB NOT NULL,
  key   TEXT NOT NULL,
  value BLOB NOT NULL,
  crc   BLOB NOT NULL,
  PRIMARY KEY (app, key)
);
${HEAP_SCHEMA}
${SD_KEYS_TABLE}
`;

/** The tables of SCHEMA, in the order they are checked and digested. */
export const TABLES = [
  "meta",
  "key_sets",
  "load_files",
  "modules",
  "imports",
  "applications",
  "app_data",
  "jcvm_objects",
  "jcvm_applets",
  "jcvm_statics",
  "jcvm_state",
  "sd_keys",
] as const;

/** The tables format 3 added (the JCVM's heap): a format 2 memory gets them, empty. */
export const TABLES_SINCE_3: readonly Table[] = ["jcvm_objects", "jcvm_applets", "jcvm_statics", "jcvm_state"];
export type Table = (typeof TABLES)[number];

/** Names of the meta rows. */
export const META = {
  SCHEMA: "schema",
  CARD_LIFECYCLE: "card_lifecycle",
  ISD_AID: "isd_aid",
  ISD_PRIVILEGES: "isd_privileges",
  /** SCP02 (2 bytes) or SCP03 (3 bytes) sequence counter. */
  SEQUENCE_COUNTER: "sequence_counter",
  /** Consecutive failed EXTERNAL AUTHENTICATE commands. */
  AUTH_FAILURES: "auth_failures",
  /** 10 bytes: key diversification data, also the source of CIN and CPLC serial. */
  SERIAL: "serial",
  /** SHA-256 over every other row's checksum (seal.ts): a row missing or added is noticed too. */
  SEAL: "seal",
  /** Receipts made so far (GP 9.4.1 confirmation counter). */
  CONFIRMATION_COUNTER: "confirmation_counter",
  /** The ISD's SCP11 keys and certificates (src/card/isd/scp11-keys.ts), when personalised for SCP11. */
  SCP11: "scp11",
  /** Digests of the ePK.OCE keys that opened SCP11 sessions (the last 64), to refuse a replay. */
  SCP11_USED: "scp11_used",
  /** The card profile the memory was made for (UTF-8 name, docs/profiles.md); absent: gp23, the card before profiles. */
  PROFILE: "profile",
} as const;

/**
 * Meta rows only some cards have: the confirmation counter appears with the
 * first receipt (GP 9.4.1); the SCP11 keys of a card personalised for SCP11,
 * and its replay memory.
 */
export const OPTIONAL_META: readonly string[] = [META.CONFIRMATION_COUNTER, META.SCP11, META.SCP11_USED, META.PROFILE];

/** Meta rows every card memory has from the factory on. */
export const REQUIRED_META: readonly string[] = Object.values(META).filter((k) => !OPTIONAL_META.includes(k));

/** Meta rows that legitimately change without an authenticated command (security counters, the SCP11 replay memory, and the seal over them). */
export const COUNTER_KEYS: readonly string[] = [META.SEQUENCE_COUNTER, META.AUTH_FAILURES, META.SCP11_USED, META.SEAL];
