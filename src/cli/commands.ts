/**
 * Every command of the CLI, by area. Each area file only declares commands
 * and imports its implementation lazily inside the action, so `--help` and
 * `--version` load neither PC/SC nor the web server.
 */
import type { CAC } from "cac";
import { register as pcsc } from "./pcsc-commands.ts";
import { register as cap } from "./cap-commands.ts";
import { register as card } from "./card-commands.ts";
import { register as gp } from "./gp-commands.ts";
import { register as link } from "./link-commands.ts";
import { register as ui } from "./ui-commands.ts";

export function registerCommands(cli: CAC): void {
  for (const area of [gp, cap, pcsc, card, link, ui]) area(cli);
}
