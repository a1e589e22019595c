/** CLI commands of the pcsc area: declarations only; implementations are imported lazily. */
import type { CAC } from "cac";

export function register(_cli: CAC): void {}
