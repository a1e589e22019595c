/**
 * A PostgreSQL server of the test's own: Debian's binaries
 * (/usr/lib/postgresql/N/bin), a fresh cluster in a temporary folder
 * (initdb, trust authentication), listening on 127.0.0.1 at a free port and
 * on a socket in that folder; stopped by PID (SIGTERM, then SIGKILL) and
 * removed afterwards. PostgreSQL refuses to run as root, so as root the
 * folder belongs to the `postgres` user and the server runs as that user.
 * With CI=true a missing server fails the test (`.ci/run` installs
 * `postgresql`), never skips it.
 */
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = "/usr/lib/postgresql";

function binDir(): string | undefined {
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(ROOT, v, "bin")).find((d) => existsSync(join(d, "initdb")) && existsSync(join(d, "postgres")));
}

const BIN = binDir();
const asRoot = process.getuid?.() === 0;

/** Why a PostgreSQL server cannot be started here, or undefined. */
export const postgresMissing: string | undefined = !BIN
  ? "PostgreSQL is not installed (apt-get install postgresql)"
  : asRoot && Bun.spawnSync(["id", "-u", "postgres"]).exitCode !== 0
    ? "running as root, and there is no postgres user to run the server as"
    : undefined;

export const postgresUsable = postgresMissing === undefined;

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/DB */
  url(db?: string): string;
  /** Make a database. */
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function asPostgres(cmd: string[]): string[] {
  return asRoot ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd;
}

/** Start a fresh server; throws with the reason when it cannot. */
export async function startPostgres(): Promise<PostgresServer> {
  if (!BIN) throw new Error(`PostgreSQL not usable: ${postgresMissing}`);
  const dir = mkdtempSync(join(tmpdir(), "webcard-pg-"));
  const data = join(dir, "data");
  if (asRoot) {
    const uid = Number(Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString());
    const gid = Number(Bun.spawnSync(["id", "-g", "postgres"]).stdout.toString());
    chownSync(dir, uid, gid);
  }
  const init = Bun.spawnSync(asPostgres([join(BIN, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]), { stdout: "pipe", stderr: "pipe" });
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}`);
  const port = await freePort();
  const proc = Bun.spawn(
    asPostgres([join(BIN, "postgres"), "-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=100"]),
    { stdout: "ignore", stderr: Bun.file(join(dir, "postgres.log")), stdin: "ignore" },
  );
  // runuser forks: its PID is the one we hold, and SIGTERM to it reaches the server (runuser passes it on).
  const url = (db = "postgres") => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const end = Date.now() + 30_000;
  for (;;) {
    const ready = Bun.spawnSync([join(BIN, "pg_isready"), "-h", "127.0.0.1", "-p", String(port)]);
    if (ready.exitCode === 0) break;
    if (proc.exitCode !== null || Date.now() > end) {
      proc.kill("SIGKILL");
      throw new Error(`PostgreSQL did not start; see ${join(dir, "postgres.log")}`);
    }
    await Bun.sleep(100);
  }
  return {
    url,
    async createDatabase(name) {
      const r = Bun.spawnSync([join(BIN, "psql"), "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-c", `CREATE DATABASE ${name}`], { stdout: "pipe", stderr: "pipe" });
      if (r.exitCode !== 0) throw new Error(`CREATE DATABASE ${name} failed: ${r.stderr.toString()}`);
    },
    async stop() {
      proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
      if (!exited) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
