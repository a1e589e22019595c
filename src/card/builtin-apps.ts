/**
 * The in-process applications `webcard sim` puts on the card: the web-card
 * link application unless --no-link. The card core only needs
 * CardApplication objects; this list is where more would join.
 */
import type { CardApplication } from "./application.ts";
import type { LinkAppOptions } from "./link/link-app.ts";

export interface BuiltinOptions {
  /** Include the web-card link application (false with --no-link). */
  link: boolean;
  /** Options of the link application (e.g. the sizes a vpcd frame carries). */
  linkOptions?: LinkAppOptions;
}

/** The applications to install in a card started by `webcard sim`. */
export async function builtinApplications(options: BuiltinOptions): Promise<CardApplication[]> {
  if (!options.link) return [];
  const { createLinkApplication } = await import("./link/link-app.ts");
  return [createLinkApplication(options.linkOptions)];
}
