/**
 * The ISD's state as its command handlers share it (IsdEnv): the card
 * memory, the card manager (the seed's "IL"), the card's settings, and the
 * transient GET STATUS cursor.
 */
import { SW } from "../../stack/status-words.ts";
import { CARD_LIFECYCLE } from "../../stack/gp/constants.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import type { CardStore } from "../store/store.ts";
import type { Registry } from "../store/registry.ts";
import type { StoredKeySet } from "../store/store.ts";
import type { DomainKeys } from "../store/domain-keys.ts";
import type { PersonalizationSink, PersonalizationTarget } from "./personalization.ts";
import { META } from "../store/schema.ts";
import type { IssuerCardManager } from "./card-manager.ts";
import { LEVEL_BIT } from "../../stack/gp/security-level.ts";
import type { EcKeyInfo } from "./card-data.ts";
import type { CardBehaviour } from "../profiles/behaviour.ts";

export interface StatusCursor {
  p1: number;
  tagged: boolean;
  /** Encoded entries not sent yet. */
  rest: Uint8Array[];
}

export interface IsdEnv {
  readonly store: CardStore;
  readonly registry: Registry;
  readonly manager: IssuerCardManager;
  /** Content management without a secure channel (test cards, golden vectors). */
  readonly open: boolean;
  /** The secure channel protocol and its i parameter the card offers. */
  readonly scp: 2 | 3;
  readonly scpI: number;
  /** The i parameter the card uses with each protocol. */
  scpIFor(scp: 2 | 3): number;
  /** GET DATA BF21: the SCP11 certificate store of the key named in `data`, or why not. */
  certificateStore?(data: Uint8Array): Uint8Array | { sw: number; reason: string };
  /** The SCP11 keys for GET DATA E0. */
  ecKeyInfo?(): EcKeyInfo[];
  /** The i parameters of the SCP11 variants the ISD answers (GET DATA 66 and 67), empty without SCP11. */
  scp11I?(): number[];
  /** The session's data encryption key (for PUT KEY), when a session is open. */
  dek(): Uint8Array | undefined;
  /** Transient: the rest of a GET STATUS answer (6310). */
  statusCursor: StatusCursor | undefined;
  /** Keys of supplementary security domains, and the ISD's DAP, token and receipt keys. */
  readonly domainKeys: DomainKeys;
  /** The key set a new supplementary security domain starts with (the card's factory keys, version FF). */
  readonly factoryKeySet: StoredKeySet;
  /** The ISD has Mandated DAP Verification (`webcard sim --mandated-dap`). */
  readonly mandatedDap: boolean;
  /** SET STATUS may terminate the card (`webcard sim --allow-terminate`). */
  readonly allowTerminate: boolean;
  /** The key version of the open secure channel session, if any. */
  sessionKeyVersion(): number | undefined;
  /** Where STORE DATA for applications goes (recorded now; the Java Card VM later). */
  readonly personalization: PersonalizationSink;
  /** How the card answers where real cards differ (its profile, docs/profiles.md). */
  readonly behaviour: CardBehaviour;
  /** Transient: the STORE DATA session (INSTALL [for personalization] or the SD itself) and its next block. */
  storeData: PersonalizationTarget | undefined;
}

/** Content management needs an authenticated session with at least C-MAC (GP 2.3.1 section 10.2), unless the card is open. */
export function requireAuth(op: string, env: IsdEnv, ctx: AppContext): void {
  if (env.open) return;
  if (!ctx.secure.isAuthenticated || (ctx.secure.level & LEVEL_BIT.C_MAC) === 0) {
    refuse(op, SW.SECURITY_STATUS_NOT_SATISFIED, `${op} needs a secure channel with at least C-MAC (INITIALIZE UPDATE, EXTERNAL AUTHENTICATE)`);
  }
}

/** The card life cycle state. */
export function cardLifecycle(env: IsdEnv): number {
  return env.store.metaInt(META.CARD_LIFECYCLE, CARD_LIFECYCLE.SECURED);
}

/** Registry changes need a card that is neither locked nor terminated (GP 2.3.1 section 5.1.1). */
export function requireUnlockedCard(op: string, env: IsdEnv): void {
  const lc = cardLifecycle(env);
  if (lc === CARD_LIFECYCLE.CARD_LOCKED) refuse(op, SW.CONDITIONS_NOT_SATISFIED, "the card is locked (SET STATUS to unlock it)");
  if (lc === CARD_LIFECYCLE.TERMINATED) refuse(op, SW.CONDITIONS_NOT_SATISFIED, "the card is terminated");
}
