/**
 * Every command of the CLI, by area. Each area file only declares commands
 * and imports its implementation lazily inside the action.
 */
import type { CAC } from "cac";

export function registerCommands(_cli: CAC): void {}
