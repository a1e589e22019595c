/**
 * GlobalPlatform Card Specification 2.3.1 constants, named after the spec.
 * Section numbers are the Card Specification's unless noted.
 */

/** Class bytes (section 11.1.4). */
export const CLA = {
  ISO: 0x00,
  GP: 0x80,
  /** GP with secure messaging (bit 3). */
  GP_SM: 0x84,
} as const;

/** Instruction bytes (section 11.1.2 table 11-4, ISO 7816-4 for SELECT and GET RESPONSE). */
export const INS = {
  SELECT: 0xa4,
  GET_RESPONSE: 0xc0,
  DELETE: 0xe4,
  INSTALL: 0xe6,
  LOAD: 0xe8,
  PUT_KEY: 0xd8,
  SET_STATUS: 0xf0,
  GET_STATUS: 0xf2,
  GET_DATA: 0xca,
  GET_DATA_ODD: 0xcb,
  STORE_DATA: 0xe2,
  INITIALIZE_UPDATE: 0x50,
  EXTERNAL_AUTHENTICATE: 0x82,
  MANAGE_CHANNEL: 0x70,
} as const;

/** INSTALL P1 (section 11.5.2.1). Bits combine: 0C = install and make selectable. */
export const INSTALL_P1 = {
  MORE: 0x80,
  FOR_REGISTRY_UPDATE: 0x40,
  FOR_PERSONALIZATION: 0x20,
  FOR_EXTRADITION: 0x10,
  FOR_MAKE_SELECTABLE: 0x08,
  FOR_INSTALL: 0x04,
  FOR_LOAD: 0x02,
  FOR_INSTALL_AND_MAKE_SELECTABLE: 0x0c,
} as const;

/** LOAD P1 (section 11.6.2.1). */
export const LOAD_P1 = { MORE_BLOCKS: 0x00, LAST_BLOCK: 0x80 } as const;

/** GET STATUS P1 subsets (section 11.4.2.1) and P2 (11.4.2.2). */
export const STATUS_P1 = {
  ISD: 0x80,
  APPS: 0x40,
  LOAD_FILES: 0x20,
  LOAD_FILES_AND_MODULES: 0x10,
} as const;
export const STATUS_P2 = { TAGGED_FIRST: 0x02, TAGGED_NEXT: 0x03 } as const;

/** SET STATUS P1 (section 11.10.2.1). */
export const SET_STATUS_P1 = { ISD: 0x80, APP: 0x40, DOMAIN_AND_APPS: 0x60 } as const;

/** DELETE P2 (section 11.2.2.2). */
export const DELETE_P2 = { OBJECT: 0x00, OBJECT_AND_RELATED: 0x80 } as const;

/** GET DATA tags (section 11.3.3 and H.x). */
export const DATA_TAG = {
  IIN: 0x0042,
  CIN: 0x0045,
  CARD_DATA: 0x0066,
  CARD_CAPABILITIES: 0x0067,
  KEY_INFORMATION: 0x00e0,
  SEQUENCE_COUNTER: 0x00c1,
  CPLC: 0x9f7f,
  EXTENDED_CARD_RESOURCES: 0xff21,
} as const;

/** Tags in GET STATUS responses and INSTALL data (section 11.4.3.1, 11.5.2.3). */
export const TAG = {
  AID: 0x4f,
  REGISTRY_ENTRY: 0xe3,
  LIFECYCLE: 0x9f70,
  PRIVILEGES: 0xc5,
  LOAD_FILE_AID: 0xc4,
  ASSOCIATED_SD: 0xcc,
  VERSION: 0xce,
  MODULE_AID: 0x84,
  IMPLICIT_SELECTION: 0xcf,
  LFDB: 0xc4,
  DAP_BLOCK: 0xe2,
  DAP_SD_AID: 0x4f,
  DAP_SIGNATURE: 0xc3,
  SYSTEM_PARAMS: 0xef,
  APP_PARAMS: 0xc9,
  FCI: 0x6f,
  FCI_PROPRIETARY: 0xa5,
  MAX_BLOCK_SIZE: 0x9f65,
} as const;

/** Card life cycle states (section 5.1.1). */
export const CARD_LIFECYCLE = {
  OP_READY: 0x01,
  INITIALIZED: 0x07,
  SECURED: 0x0f,
  CARD_LOCKED: 0x7f,
  TERMINATED: 0xff,
} as const;

/** Application and load file life cycle states (sections 5.2-5.3). */
export const APP_LIFECYCLE = {
  LOADED: 0x01,
  INSTALLED: 0x03,
  SELECTABLE: 0x07,
  PERSONALIZED: 0x0f,
  /** Bit 8 set on top of the current state. */
  LOCKED_BIT: 0x80,
} as const;

/** Privilege bits: byte 1 (section 6.6.1 table 6-1). */
export const PRIV1 = {
  SECURITY_DOMAIN: 0x80,
  DAP_VERIFICATION: 0xc0,
  DELEGATED_MANAGEMENT: 0xa0,
  CARD_LOCK: 0x10,
  CARD_TERMINATE: 0x08,
  CARD_RESET: 0x04,
  CVM_MANAGEMENT: 0x02,
  MANDATED_DAP: 0xc1,
} as const;

/** Privilege bits: byte 2. */
export const PRIV2 = {
  TRUSTED_PATH: 0x80,
  AUTHORIZED_MANAGEMENT: 0x40,
  TOKEN_VERIFICATION: 0x20,
  GLOBAL_DELETE: 0x10,
  GLOBAL_LOCK: 0x08,
  GLOBAL_REGISTRY: 0x04,
  FINAL_APPLICATION: 0x02,
  GLOBAL_SERVICE: 0x01,
} as const;

/**
 * ISD AIDs cards use, in the order webcard tries them: GP 2.2+ (JCOP 2.4.2+,
 * Infineon, ACOSJ), Visa/OP (G+D, Feitian, sysmocom, YubiKey, Nokia), the
 * 7-byte GP RID form (Oberthur, UICCs), Gemalto IDCore, Gemalto Optelio
 * (REAL-CARDS.md quirk 1).
 */
export const DEFAULT_ISD_AIDS = ["A000000151000000", "A000000003000000", "A0000001510000", "A000000018434D00", "A000000004000000"] as const;

/** The GlobalPlatform test key (REFERENCE.md section 4). */
export const DEFAULT_TEST_KEY = "404142434445464748494A4B4C4D4E4F";

/** P2 numbers LOAD blocks 00-FF, so a load has at most 256 blocks. */
export const MAX_LOAD_BLOCKS = 256;
