/**
 * A pcscd this scenario owns (inside runIsolated's private namespace), with
 * one vpcd device (ports 35963/35964), restartable: vpcd's driver can take
 * pcscd down when cards die mid-exchange, and the kill test must tell that
 * apart from the card's own consistency. Stopped by PID only.
 */
import { rmSync } from "node:fs";
import { PRIVATE_READERS, launchPcscd, stopProcess, vpcdConfigDir } from "../../harness/private-pcscd.ts";

export interface OwnPcscd {
  readonly reader: { name: string; port: number };
  alive(): boolean;
  /** Start it again after it died (counts restarts). */
  restart(): Promise<void>;
  readonly restarts: number;
  stop(): Promise<void>;
}

/** Start pcscd; run only inside runIsolated (it takes /run/pcscd). */
export async function startOwnPcscd(): Promise<OwnPcscd> {
  const dir = vpcdConfigDir();
  let proc = await launchPcscd(dir);
  let restarts = 0;
  return {
    reader: { ...PRIVATE_READERS[0] },
    alive: () => proc.exitCode === null && proc.signalCode === null,
    async restart() {
      proc.kill("SIGKILL");
      await proc.exited;
      restarts++;
      proc = await launchPcscd(dir);
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
