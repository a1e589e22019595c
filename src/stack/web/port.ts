/**
 * What the web server, the CGI gateway and the script-translation agent need
 * from the loader (IL). The simulated card implements it over its card
 * manager (src/card/link); the bridge implements it with GlobalPlatform
 * APDUs under a secure channel (src/host/loader). Both meet the same server,
 * which is why this lives in stack/ (pure: Hono and these types only).
 */

/** A registry entry in display form (hex AIDs). */
export interface RegistryApp {
  aid: string;
  lifecycle: number;
  privileges: string;
  loadFile?: string | undefined;
  module?: string | undefined;
}

export interface RegistryPackage {
  aid: string;
  lifecycle: number;
  version?: string | undefined;
  modules: string[];
  builtin?: boolean | undefined;
}

export interface RegistryView {
  isd: string;
  applications: RegistryApp[];
  loadFiles: RegistryPackage[];
}

export interface LoaderFacts {
  /** CAP format versions IL accepts ("2.1", "2.2"). */
  capVersions: readonly string[];
  javaCardVersion?: string | undefined;
  freeMemory: number;
  /** Largest LOAD block IL takes (the GP path's block size). */
  blockSize: number;
  /** Where the loader lives: "card" (web server in the card) or "bridge" (on the terminal). */
  where: "card" | "bridge";
  /** The security domain a load goes to (hex AID; INSTALL [for load], GP 11.5.2.3.1), when IL says. */
  securityDomain?: string | undefined;
}

/** Install order for one applet (GP INSTALL [for install and make selectable]). */
export interface InstallOrder {
  loadFile: Uint8Array;
  module: Uint8Array;
  instance: Uint8Array;
  /** 1 or 3 privilege bytes. */
  privileges: Uint8Array;
  /** Application parameters (wrapped in C9 by IL). */
  parameters?: Uint8Array | undefined;
  selectable: boolean;
}

/**
 * IL as orders. Each method throws an error with a numeric `sw` (a SwError)
 * when IL refuses, with a readable message.
 */
export interface LoaderPort {
  facts(): Promise<LoaderFacts>;
  registry(): Promise<RegistryView>;
  /** INSTALL [for load] of `packageAid` into the ISD. */
  installForLoad(packageAid: Uint8Array, loadSize: number): Promise<void>;
  /**
   * LOAD of the whole load file data block; `progress` after each block or
   * step, awaited: a response in steps pauses there until its reader asks
   * for more (docs/link-protocol.md section 8.1).
   */
  load(lfdb: Uint8Array, progress: (done: number, total: number) => void | Promise<void>): Promise<void>;
  install(order: InstallOrder): Promise<void>;
  /** DELETE (with related objects): used to leave IL as it was when a later order fails. */
  delete(aid: Uint8Array): Promise<void>;
}

/** Who is asking, as the transport below the web server knows it (never from a header). */
export interface RequestSecurity {
  /** An authenticated secure channel carries this request. */
  authenticated: boolean;
  /** GP security level byte of that channel (01 C-MAC, 03 C-DEC+C-MAC, ...), 0 without one. */
  level: number;
  /** "SCP02", "SCP03" or undefined. */
  protocol?: string | undefined;
}

/** Per-request environment handed to the Hono app (`app.fetch(request, env)`). */
export interface WebEnv {
  security: RequestSecurity;
  /**
   * Step 2 of a load: deliver the loading parameters to the terminal agent
   * in a session the loader opens. Absent for a browser or a plain HTTP
   * client: the parameters then come inline.
   */
  deliver?: ((parameters: LoaderParameters) => Promise<void> | void) | undefined;
  /** The loader for this request (the card's IL, or the bridge's GP session). */
  port: LoaderPort;
}

/** The parametrizing data of the loading page (step 2 of DESIGN.md). */
export interface LoaderParameters {
  capVersions: readonly string[];
  javaCardVersion?: string | undefined;
  freeMemory: number;
  blockSize: number;
  /** GP security level byte required to load (01 = C-MAC). */
  securityLevel: number;
  /** Requires an authenticated secure channel. */
  authentication: "scp02|scp03";
  /** One-time nonce to send back in the loading file. */
  nonce: string;
  /** The CGI script associated with the loader. */
  script: string;
  /** Form field names the script reads. */
  /** `replace`: "yes" deletes a copy of the package on the card (and instances in the way) first. */
  fields: { loadFile: string; install: string; nonce: string; replace?: string | undefined };
  where: "card" | "bridge";
  /** The security domain a load goes to (hex AID), when IL says. */
  securityDomain?: string | undefined;
}
