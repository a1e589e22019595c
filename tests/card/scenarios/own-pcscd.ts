/**
 * A pcscd this scenario owns (inside runIsolated's private namespace), with
 * one vpcd device (ports 35963/35964), restartable: vpcd's driver can take
 * pcscd down when cards die mid-exchange, and the kill test must tell that
 * apart from the card's own consistency. Stopped by PID only.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DRIVERS = ["/usr/lib/pcsc/drivers/serial/libifdvpcd.so", "/usr/lib64/pcsc/drivers/serial/libifdvpcd.so", "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so"];
const SOCKET = "/run/pcscd/pcscd.comm";

export interface OwnPcscd {
  readonly reader: { name: string; port: number };
  alive(): boolean;
  /** Start it again after it died (counts restarts). */
  restart(): Promise<void>;
  readonly restarts: number;
  stop(): Promise<void>;
}

async function launch(dir: string): Promise<ReturnType<typeof Bun.spawn>> {
  rmSync(SOCKET, { force: true }); // a crashed pcscd leaves it behind (private tmpfs)
  const proc = Bun.spawn(["pcscd", "--foreground", "-c", dir], { stdout: "ignore", stderr: "ignore", stdin: "ignore" });
  const end = Date.now() + 10_000;
  const listed = () => Bun.spawnSync(["pcsc_scan", "-r"], { stdout: "pipe", stderr: "ignore", timeout: 5000 }).stdout.toString().includes("Virtual PCD 00 00");
  while (!existsSync(SOCKET) || !listed()) {
    if (Date.now() > end || proc.exitCode !== null) {
      proc.kill("SIGKILL");
      throw new Error("private pcscd did not come up");
    }
    await Bun.sleep(50);
  }
  return proc;
}

/** Start pcscd; run only inside runIsolated (it takes /run/pcscd). */
export async function startOwnPcscd(): Promise<OwnPcscd> {
  const driver = DRIVERS.find((p) => existsSync(p));
  if (!driver) throw new Error("the vpcd driver is not installed");
  const dir = mkdtempSync(join(tmpdir(), "webcard-own-pcscd-"));
  writeFileSync(join(dir, "vpcd"), `FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:35963\nLIBPATH ${driver}\n`);
  let proc = await launch(dir);
  let restarts = 0;
  return {
    reader: { name: "Virtual PCD 00 00", port: 35963 },
    alive: () => proc.exitCode === null && proc.signalCode === null,
    async restart() {
      proc.kill("SIGKILL");
      await proc.exited;
      restarts++;
      proc = await launch(dir);
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      proc.kill("SIGTERM");
      const gone = await Promise.race([proc.exited.then(() => true), Bun.sleep(6000).then(() => false)]);
      if (!gone) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
