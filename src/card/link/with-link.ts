/** A simulated card with the web-card link application (the default card of `--sim`, tests and the demo). */
import { createSimulatedCard, type SimOptions, type SimulatedCard } from "../sim.ts";
import { createLinkApplication, type LinkAppOptions } from "./link-app.ts";

export interface WebCardOptions extends SimOptions {
  /** Install the link application (default true, on a card whose profile has it); false gives a plain GlobalPlatform card (`webcard sim --no-link`). */
  link?: boolean;
  linkOptions?: LinkAppOptions;
}

/** Create a simulated card carrying the link application unless `link` is false or the card's profile has none (docs/profiles.md). */
export function createWebCard(options: WebCardOptions = {}): SimulatedCard {
  const { link, linkOptions, ...sim } = options;
  const card = createSimulatedCard(sim);
  if (link !== false && card.profile.link) card.installApplication(createLinkApplication(linkOptions));
  return card;
}
