/** CLI commands of the card area: declarations only; implementations are imported lazily. */
import type { CAC } from "cac";

export function register(_cli: CAC): void {}
