/**
 * The card memory file as a user meets it: two card processes started at the
 * same moment on a new file (exactly one runs), an empty or foreign file (not
 * silently a new card; --reset makes one and keeps the old file aside), a
 * newer format (refused), an older one (upgraded), a damaged one (the card
 * answers 6A81 and says so once), a read-only file or folder (said so, not
 * "in use"). Each case opens the card in a process of its own (open-state.ts).
 */
import { test, expect, afterAll } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Rows } from "../../src/card/store/rows.ts";
import { META } from "../../src/card/store/schema.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { fixture } from "./fixtures.ts";
import { installSequence } from "./helpers.ts";

const ROOT = resolve(import.meta.dir, "../..");
const OPEN = join(import.meta.dir, "open-state.ts");
const dir = mkdtempSync(join(tmpdir(), "webcard-statefile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Opened {
  ok: boolean;
  sw?: string;
  damage?: string | null;
  error?: string;
  hint?: string | null;
  log: string[];
}

function spawnOpen(path: string, args: string[] = [], user?: number) {
  const argv = [process.execPath, OPEN, path, ...args];
  const cmd = user === undefined ? argv : ["setpriv", `--reuid=${user}`, `--regid=${user}`, "--clear-groups", ...argv];
  return Bun.spawn(cmd, { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
}

async function resultOf(proc: ReturnType<typeof spawnOpen>): Promise<Opened> {
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const last = out.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as Opened;
  } catch {
    throw new Error(`open-state.ts gave no result:\n${out}\n${err}`);
  }
}

const openIn = (path: string, args: string[] = [], user?: number) => resultOf(spawnOpen(path, args, user));
let n = 0;
const fresh = (name = "card.sqlite") => {
  const d = join(dir, `case-${n++}`);
  mkdirSync(d);
  return join(d, name);
};

test("two card processes started at the same moment on a new file: exactly one runs, the other says the file is in use", async () => {
  for (let batch = 0; batch < 2; batch++) {
    const at = String(Date.now() + 1500);
    const rounds = Array.from({ length: 4 }, () => fresh());
    const results = await Promise.all(rounds.map((p) => Promise.all([openIn(p, ["--at", at, "--hold", "2500"]), openIn(p, ["--at", at, "--hold", "2500"])])));
    for (const pair of results) {
      expect(pair.filter((r) => r.ok).map((r) => r.sw)).toEqual(["9000"]);
      const loser = pair.find((r) => !r.ok)!;
      expect(loser.error).toMatch(/is in use by another webcard process$/);
    }
  }
}, 60_000);

test("two `webcard sim` started at once on a new state file: one runs, the other exits saying the file is in use", async () => {
  for (let round = 0; round < 2; round++) {
    const state = fresh();
    // No vpcd listens on port 1: the winner keeps waiting for it, quietly, until stopped.
    const argv = [process.execPath, join(ROOT, "src/cli.ts"), "sim", "--state", state, "--vpcd", "127.0.0.1:1"];
    const procs = [0, 1].map(() => Bun.spawn(argv, { cwd: ROOT, stdout: "pipe", stderr: "pipe" }));
    const first = await Promise.race(procs.map((p, i) => p.exited.then((code) => ({ i, code }))));
    const loser = procs[first.i]!;
    const winner = procs[1 - first.i]!;
    const stderr = await new Response(loser.stderr).text();
    expect(first.code).not.toBe(0);
    expect(stderr).toContain("is in use by another webcard process");
    expect(stderr).not.toContain("database is locked");
    expect(winner.exitCode).toBeNull();
    winner.kill("SIGTERM");
    expect(await winner.exited).toBe(0);
  }
}, 60_000);

test("an empty file is not silently a new card; --reset makes one there", async () => {
  const path = fresh();
  writeFileSync(path, "");
  const r = await openIn(path);
  expect(r.ok).toBe(false);
  expect(r.error).toBe(`The state file ${path} is not a webcard card memory: it is empty`);
  expect(r.hint).toContain("--reset");
  expect(readFileSync(path).length).toBe(0);
  const reset = await openIn(path, ["--reset"]);
  expect(reset).toMatchObject({ ok: true, sw: "9000", damage: null });
  expect((await openIn(path)).sw).toBe("9000");
});

test("a foreign file (not SQLite, or SQLite without webcard's tables) is refused untouched; --reset keeps it aside", async () => {
  const text = fresh("notes.txt");
  writeFileSync(text, "my notes, not a card\n".repeat(100));
  const r = await openIn(text);
  expect(r.ok).toBe(false);
  expect(r.error).toBe(`The state file ${text} is not a webcard card memory: it is not an SQLite database`);
  expect(readFileSync(text, "utf8")).toBe("my notes, not a card\n".repeat(100));

  const other = fresh("app.db");
  const db = new Database(other);
  db.run("CREATE TABLE notes (body TEXT)");
  db.run("INSERT INTO notes VALUES ('keep me')");
  db.close();
  const before = readFileSync(other);
  const r2 = await openIn(other);
  expect(r2.error).toBe(`The state file ${other} is not a webcard card memory: it is an SQLite database without webcard's tables`);
  expect(readFileSync(other).equals(before)).toBe(true);

  const reset = await openIn(other, ["--reset"]);
  expect(reset).toMatchObject({ ok: true, sw: "9000" });
  const kept = readdirSync(join(other, "..")).filter((f) => f.startsWith("app.db.foreign-"));
  expect(kept).toHaveLength(1);
  expect(readFileSync(join(other, "..", kept[0]!)).equals(before)).toBe(true);
  expect(reset.log.join("\n")).toContain(`kept as ${join(other, "..", kept[0]!)}`);
});

test("a card memory of a newer format is refused and left as it is", async () => {
  const path = fresh();
  createSimulatedCard({ statePath: path }).close();
  const db = new Database(path);
  new Rows(db).put("meta", { key: META.SCHEMA, value: Uint8Array.of(0, 0, 0, 9) });
  db.close();
  const before = readFileSync(path);
  const r = await openIn(path);
  expect(r.ok).toBe(false);
  expect(r.error).toBe(`The state file ${path} is a newer card memory: it was written by a newer webcard (memory format 9; this one knows 3)`);
  expect(readFileSync(path).equals(before)).toBe(true);
});

test("a damaged memory: the card answers 6A81 to everything, says so once with the way to start fresh, and writes nothing", async () => {
  const path = fresh();
  createSimulatedCard({ statePath: path }).close();
  const db = new Database(path);
  // A key byte changed behind the card's back (the row's checksum no longer matches).
  db.run("UPDATE key_sets SET enc = zeroblob(16)");
  db.close();
  const before = readFileSync(path);
  const r = await openIn(path);
  expect(r).toMatchObject({ ok: true, sw: "6A81", damage: "row 1 of table key_sets fails its checksum" });
  expect(r.log).toHaveLength(1);
  expect(r.log[0]).toContain(`the state file ${path} is damaged (row 1 of table key_sets fails its checksum)`);
  expect(r.log[0]).toContain("--reset");
  expect(readFileSync(path).equals(before)).toBe(true);
  // Without a reader to stay in (`--sim` commands, the library's default), opening it is refused with the same reason.
  expect(() => createSimulatedCard({ statePath: path })).toThrow(`The state file ${path} is damaged: row 1 of table key_sets fails its checksum`);
  expect(readFileSync(path).equals(before)).toBe(true);
  const reset = await openIn(path, ["--reset"]);
  expect(reset).toMatchObject({ ok: true, sw: "9000", damage: null });
  expect(readdirSync(join(path, "..")).filter((f) => f.startsWith("card.sqlite.damaged-"))).toHaveLength(1);
});

test("`webcard sim` on a damaged state file stays up as a card answering 6A81 and says why in one stderr line", async () => {
  const path = fresh();
  createSimulatedCard({ statePath: path }).close();
  const db = new Database(path);
  db.run("UPDATE key_sets SET enc = zeroblob(16)");
  db.close();
  const sim = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), "sim", "--state", path, "--vpcd", "127.0.0.1:1"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const reader = sim.stderr.getReader();
  let err = "";
  const end = Date.now() + 20_000;
  while (!err.includes("\n") && Date.now() < end) {
    const { value, done } = await reader.read();
    if (done) break;
    err += new TextDecoder().decode(value);
  }
  // Still running (the card stays in its reader): stopped here by PID.
  expect(sim.exitCode).toBeNull();
  sim.kill("SIGTERM");
  await sim.exited;
  expect(err.split("\n")[0]).toBe(
    `card: the state file ${path} is damaged (row 1 of table key_sets fails its checksum): the card answers 6A81 to every command and writes nothing; to start a fresh card use --reset (the damaged file is kept aside) or another --state file`,
  );
}, 30_000);

test("a row removed behind the card's back (a factory record, a module of a package) is caught at power-on", async () => {
  const cases = [
    ["DELETE FROM meta WHERE key = 'isd_aid'", "its isd_aid record(s) are missing"],
    ["DELETE FROM modules", "rows are missing or were added behind the card's back (its seal does not match)"],
  ] as const;
  for (const [sql, why] of cases) {
    const path = fresh();
    const card = createSimulatedCard({ statePath: path, open: true });
    for (const a of installSequence(fixture("kaoh_helloworld.cap"))) await card.process(a);
    card.close();
    const db = new Database(path);
    db.run(sql);
    db.close();
    expect(await openIn(path)).toMatchObject({ ok: true, sw: "6A81", damage: why });
  }
});

const asRoot = process.getuid?.() === 0 && Bun.which("setpriv") !== null;
const NOBODY = 65534;

test.if(asRoot)("a read-only file or folder is said to be read-only, never 'in use'", async () => {
  const path = fresh();
  createSimulatedCard({ statePath: path }).close();
  const folder = join(path, "..");
  chmodSync(dir, 0o755);
  chmodSync(folder, 0o777);
  chmodSync(path, 0o444);
  const r = await openIn(path, [], NOBODY);
  expect(r.ok).toBe(false);
  expect(r.error).toBe(`Cannot open the card memory ${path}: permission denied`);
  expect(r.error).not.toContain("in use");

  chmodSync(path, 0o666);
  chmodSync(folder, 0o555);
  const r2 = await openIn(path, [], NOBODY);
  expect(r2.ok).toBe(false);
  expect(r2.error).toBe(`Cannot open the card memory ${path}: its folder ${folder} is not writable for this user`);
  expect(r2.hint).toContain("journal");
  chmodSync(folder, 0o755);
});

test("a card memory of format 1 (before checksums) is upgraded in place, its registry and keys kept", async () => {
  const path = fresh();
  const db = new Database(path);
  db.run("PRAGMA journal_mode = WAL");
  db.run(V1_SCHEMA);
  const int = (v: number) => Uint8Array.of(0, 0, 0, v);
  const meta = db.query("INSERT INTO meta (key, value) VALUES (?, ?)");
  meta.run("isd_aid", Uint8Array.of(0xa0, 0, 0, 1, 0x51, 0, 0, 0));
  meta.run("isd_privileges", Uint8Array.of(0x9e, 0xfe, 0x80));
  meta.run("card_lifecycle", int(0x0f));
  meta.run("sequence_counter", int(5));
  meta.run("auth_failures", int(0));
  meta.run("serial", new Uint8Array(10).fill(7));
  meta.run("schema", int(1));
  db.query("INSERT INTO key_sets VALUES (?, 3, ?, ?, ?)").run(0x30, new Uint8Array(16).fill(0x40), new Uint8Array(16).fill(0x40), new Uint8Array(16).fill(0x40));
  db.query("INSERT INTO load_files VALUES (?, 1, 0, 1, ?, ?)").run(Uint8Array.of(0xf0, 1, 2, 3, 4), Uint8Array.of(0xa0, 0, 0, 1, 0x51, 0, 0, 0), new Uint8Array(300).fill(1));
  db.close();
  const r = await openIn(path);
  expect(r).toMatchObject({ ok: true, sw: "9000", damage: null });
  expect(r.log).toContain("card memory upgraded from format 1 to 3 (row checksums, load file hashes)");
  const card = createSimulatedCard({ statePath: path });
  expect(card.keyCheckValues().map((k) => k.version)).toEqual([0x30]);
  card.close();
  const out = new Database(path, { readonly: true });
  expect(out.query("SELECT hex(aid) AS aid, length(hash) AS n FROM load_files").all()).toEqual([{ aid: "F001020304", n: 32 }]);
  out.close();
  expect(existsSync(`${path}-wal`)).toBe(false);
});

/** The tables of format 1, as webcard wrote them before row checksums. */
const V1_SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE key_sets (version INTEGER PRIMARY KEY, scp INTEGER NOT NULL, enc BLOB NOT NULL, mac BLOB NOT NULL, dek BLOB NOT NULL);
CREATE TABLE load_files (aid BLOB PRIMARY KEY, major INTEGER NOT NULL, minor INTEGER NOT NULL, lifecycle INTEGER NOT NULL, sd_aid BLOB NOT NULL, lfdb BLOB NOT NULL);
CREATE TABLE modules (aid BLOB PRIMARY KEY, load_file BLOB NOT NULL, install_offset INTEGER NOT NULL);
CREATE TABLE imports (load_file BLOB NOT NULL, aid BLOB NOT NULL, major INTEGER NOT NULL, minor INTEGER NOT NULL);
CREATE TABLE applications (aid BLOB PRIMARY KEY, load_file BLOB, module BLOB, privileges BLOB NOT NULL, lifecycle INTEGER NOT NULL, params BLOB NOT NULL, sd_aid BLOB NOT NULL, builtin INTEGER NOT NULL DEFAULT 0);
CREATE TABLE pending_load (id INTEGER PRIMARY KEY CHECK (id = 1), package BLOB NOT NULL, sd_aid BLOB NOT NULL, hash BLOB NOT NULL, declared INTEGER NOT NULL, next_block INTEGER NOT NULL);
CREATE TABLE pending_blocks (n INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE app_data (app BLOB NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (app, key));
`;
