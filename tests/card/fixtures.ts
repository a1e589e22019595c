/** The shared CAP fixtures, read where they are (never copied into the project). */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseLoadFile, type CapFile } from "../../src/stack/cap/load-file.ts";

export const FIXTURE_DIR = resolve(import.meta.dir, "../../../shared/fixtures/cap");

export const FIXTURES = [
  "gppro_Empty_0102030405_2.2.1.cap",
  "kaoh_helloworld.cap",
  "pysim_test_javacard.cap",
  "jcalgtest_AlgTest_v1.7_supportOnly_jc212.cap",
  "jcalgtest_AlgTest_v1.7.4_jc222.cap",
  "omapi_T1_omapitest4.cap",
] as const;

/** The fixture whose imports no card has (a SIM toolkit package). */
export const PYSIM = "pysim_test_javacard.cap";

/** Parse one fixture CAP. */
export function fixture(name: string): CapFile {
  return parseLoadFile(new Uint8Array(readFileSync(resolve(FIXTURE_DIR, name))), name);
}
