/**
 * Every command of the CLI, by area. Each file of declare/ only declares
 * commands and imports the command's implementation (commands/NAME.ts)
 * lazily inside the action, so `--help` and `--version` load neither PC/SC
 * nor the web server.
 */
import type { CAC } from "cac";
import { register as pcsc } from "./declare/pcsc.ts";
import { register as cap } from "./declare/cap.ts";
import { register as sim } from "./declare/sim.ts";
import { register as gp } from "./declare/gp.ts";
import { register as fetch } from "./declare/fetch.ts";
import { register as ui } from "./declare/ui.ts";
import { register as runApplet } from "./declare/run.ts";
import { register as domains } from "./declare/domains.ts";
import { register as keys } from "./declare/keys.ts";
import { register as station } from "./declare/station.ts";
import { register as doctor } from "./declare/doctor.ts";

export function registerCommands(cli: CAC): void {
  for (const area of [gp, domains, cap, runApplet, pcsc, doctor, sim, keys, station, fetch, ui]) area(cli);
}
