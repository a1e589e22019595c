/**
 * The in-process applications `webcard sim` puts on the card. The web-card
 * link application joins this list (unless --no-link); the card core only
 * needs CardApplication objects.
 */
import type { CardApplication } from "./application.ts";

export interface BuiltinOptions {
  /** Include the web-card link application (false with --no-link). */
  link: boolean;
}

/** The applications to install in a card started by `webcard sim`. */
export async function builtinApplications(_options: BuiltinOptions): Promise<CardApplication[]> {
  return [];
}
