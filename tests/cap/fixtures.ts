/** The facts of the shared CAP fixtures, from ../shared/fixtures/cap/README.md (never copies of the files). */
import { resolve } from "node:path";

export const FIXTURES_DIR = resolve(import.meta.dir, "../../../shared/fixtures/cap");

export interface FixtureFacts {
  file: string;
  format: string;
  packageAid: string;
  applets: string[];
  imports: string[]; // "AID major.minor"
  lfdbSize: number;
  sha256: string;
}

export const FIXTURES: FixtureFacts[] = [
  {
    file: "gppro_Empty_0102030405_2.2.1.cap", format: "2.1", packageAid: "0102030405", applets: ["0102030405060708"],
    imports: ["A0000000620101 1.2", "A0000000620102 1.2", "A0000000620001 1.0"], lfdbSize: 211,
    sha256: "8d5ac9e226e3f0a89457fb078470a9378daed8b96ba6cbe839513cdf08d27a38",
  },
  {
    file: "kaoh_helloworld.cap", format: "2.1", packageAid: "D0D1D2D3D4D501", applets: ["D0D1D2D3D4D50101"],
    imports: ["A0000000620101 1.0"], lfdbSize: 247,
    sha256: "9c8e7f3da89b91426b0f4293a23ddb639cabff9f68bf8c3e8eb8c9bb4f71f6a4",
  },
  {
    file: "pysim_test_javacard.cap", format: "2.1", packageAid: "D07002CA44", applets: ["D07002CA44900101"],
    imports: ["A0000000620101 1.2", "A0000000090003FFFFFFFF8910710002 2.6", "A0000000620001 1.0"], lfdbSize: 397,
    sha256: "2adb0cbbaf6e155764e504d8d2f37389619583883d3ad0ae28dbfb6e1e7bdecd",
  },
  {
    file: "jcalgtest_AlgTest_v1.7_supportOnly_jc212.cap", format: "2.1", packageAid: "4A43416C6754657374", applets: ["4A43416C675465737431"],
    imports: ["A0000000620001 1.0", "A0000000620201 1.2", "A0000000620102 1.2", "A0000000620101 1.2"], lfdbSize: 5438,
    sha256: "16d60a8938737d6a2424f40747a3a27e6a347e7e53e02f900dff21a29f37e012",
  },
  {
    file: "jcalgtest_AlgTest_v1.7.4_jc222.cap", format: "2.1", packageAid: "4A43416C6754657374", applets: ["4A43416C675465737431"],
    imports: ["A0000000620001 1.0", "A0000000620102 1.3", "A0000000620101 1.3", "A0000000620201 1.3"], lfdbSize: 21870,
    sha256: "14af633213e0a93c5567bde2be28096731beb4d4c0867f9b7bc6af4c317fdabe",
  },
  {
    file: "omapi_T1_omapitest4.cap", format: "2.1", packageAid: "A000000600020001FF05", applets: ["A000000600020001EE05150101010101"],
    imports: ["A0000000620101 1.2"], lfdbSize: 333,
    sha256: "3136d331845cdd1ab18d9cc667227732ccaf66ff09f011a4d0d03a7c4211c249",
  },
];

/** The SIM toolkit package (sim.toolkit) that a plain Java Card lacks. */
export const SIM_TOOLKIT = "A0000000090003FFFFFFFF8910710002";
