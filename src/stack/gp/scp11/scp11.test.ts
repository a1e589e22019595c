/**
 * SCP11 known answers: the published transcripts of Samsung's OpenSCP test
 * data (SCP11a and SCP11c; P-256 with AES-128 S8, AES-128 S16 and AES-256
 * S8; P-384 with AES-128 S8): receipt, first wrapped command and the
 * decrypted response. Each primitive (ECDH, X9.63 KDF, AES-CMAC) is also
 * checked against an independent implementation, the openssl CLI.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandApdu, ResponseApdu } from "../../apdu.ts";
import { fromHex, toHex } from "../../bytes.ts";
import { aesCmac } from "../../crypto/cmac.ts";
import { x963Kdf } from "../../crypto/x963-kdf.ts";
import { parseTlvs } from "../../tlv.ts";
import { Scp03Session } from "../scp03.ts";
import { CURVES, ecdh, ecKeyPem, generateEcKey, x509PublicKey, type Curve } from "./curves.ts";
import { parseAuthenticateData, scp11Receipt, scp11SessionKeys } from "./handshake.ts";
import { x509ChainKey } from "./x509.ts";

const CI = process.env.CI === "true" || process.env.CI === "1";

// OpenSCP test keys (private scalars taken from their PKCS#8 encodings).
const P256 = {
  eskOce: "B69D2D4A2544B5938ED3C4F6319810837E4DBBEFF115BD9955607E8CDBBBACE5",
  skOce: "A5116B848D41BD93737F187ABC03886BF7A80422D150025109C6749F45BB9B6D",
  pkSd: "044F92A07D168C309959EED99E288381DD192979CD452D8FBE1F163447979207C5E6CD1F4DD11609E2100C033BBD723BE78B71477E64883EB41EC366713E44AF1E",
};
const MA_P256_AES128 =
  "8082031153A60D9002110195013C8001888101105F49410470B0BD7863E90E32DA5401188354D1F41999442FDFDCBA7472B7F1E5DBBF8A32F92D9D4F9D55C60D57D39BD6D7973306CEA55F7A86884096651A9CCAC8239C9200";
const EPK_SD_P256 = "5F49410492CAFD79D7E39EA433611E9AAD9742D85B3BD06F3D6055D7CDE28FC44D0AB556BC0F94D2100D87727FDFA2B49033C78F07A30AA8D5A6A505E59F99FCDFB25266";
const LIST_PACKAGES_PLAIN =
  "08A00000015141434C010010A0000002202003010101000000000006010010A0000002202003010101000000000011010005A0000002480100";

// The SD's X.509 certificate of the P-384 transcript (three GET DATA chunks joined, BF21 82 0230 stripped).
const SD_CERT_P384 =
  "3082022C308201D2A00302010202146A994C23ECC7F71C16325F2CF93878D1B4327087300A06082A8648CE3D0403023051310B3009060355040613024B52310B300906035504080C0253553110300E060355040A0C0753616D73756E673123302106035504030C1A43412D4B4C434320436572746966696361746520285445535429301E170D3235303230363130343635315A170D3236303530393130343635315A304C310B3009060355040613024B52310B300906035504080C0253553110300E060355040A0C0753616D73756E67311E301C06035504030C155344204365727469666963617465202854455354293076301006072A8648CE3D020106052B810400220362000402C09F3AF6136EB5FBB14599B2EA3C872E41AA33C53621C60DD42AC2458D1D5CC30533CE92109C4BBE12F6918D11D5BCFA8B071569A8F5E31CDEEE923E0B1BDF41D0C3ADFC4A9B61395D0C4F2AFC58F6776CF7F73A5ABA3E5326614AAC180B48A370306E301D0603551D0E041604142AB06A937EC42D714EAAFAAB37D9492D00840AFF301F0603551D230418301680149E216D9AEF4531670A5B83ADE5DED7FF6CD97B0F300E0603551D0F0101FF040403020308301C0603551D200101FF04123010300E060C2A864886FC6B64000A02010A300A06082A8648CE3D040302034800304502200AD98C7A72E24FF8F8446079FA156B16B322DE55F1659D9258331A886F2BF9D80221009E9F2343DB3B7C2F3F1FB885BFAB8D2533C936E8486C0E8C35852A738ED06AD0";

interface Transcript {
  name: string;
  curve: Curve;
  eskOce: string;
  skOce: string;
  pkSd: string;
  authenticate: string;
  /** Response data: 5F49 ePK.SD | 86 10 receipt. */
  response: string;
  macLength: 8 | 16;
  listCommand: string;
  listResponse: string;
}

const TRANSCRIPTS: Transcript[] = [
  {
    name: "SCP11a P-256 AES-128 S8",
    curve: CURVES["P-256"],
    ...P256,
    authenticate: MA_P256_AES128,
    response: `${EPK_SD_P256}86100B63C42C2D5138936FF5894F10C1234F`,
    macLength: 8,
    listCommand: "84F2200018E1EE3A92EF45551E8464A252F997230DC4E84F41BA692405",
    listResponse:
      "DC8D7D92F77BB20F4AEA2C2EB70A7D93C5F0EA0F27D193679C3D1C970BED8F73C394C63A201C8D367A9F0990146D1FF5CEC2E5F90F6956EF241D2CC899BA25B964FFFB799F4C42469000",
  },
  {
    name: "SCP11a P-256 AES-128 S16",
    curve: CURVES["P-256"],
    ...P256,
    authenticate: MA_P256_AES128,
    response: `${EPK_SD_P256}86100B63C42C2D5138936FF5894F10C1234F`,
    macLength: 16,
    listCommand: "84F2200020E1EE3A92EF45551E8464A252F997230D4C7BF9A271B036DD0423ACE5DE96B3CD",
    listResponse:
      "DC8D7D92F77BB20F4AEA2C2EB70A7D93C5F0EA0F27D193679C3D1C970BED8F73C394C63A201C8D367A9F0990146D1FF5CEC2E5F90F6956EF241D2CC899BA25B962B2B347CDB592E2E99EFBE5A4459D169000",
  },
  {
    name: "SCP11a P-256 AES-256 S8",
    curve: CURVES["P-256"],
    ...P256,
    authenticate: MA_P256_AES128.replace("8101105F49", "8101205F49"),
    response: `${EPK_SD_P256}8610EC6FEDA834E69E76D7F5DFF8564DE6CB`,
    macLength: 8,
    listCommand: "84F2200018C68231841D3CF95F1CB4B9AAB824CD479CC3D4806D163001",
    listResponse:
      "6802F8FB3A900FE534BB52D49FBA259286055103E1DC2E78363C61F997A94B667F6F0F83FCA67C0945282D561BD55F8FCC6BE216CE085C2F76D4FFAECC91CC95EC6AA9E8AC404B8D9000",
  },
  {
    name: "SCP11c P-256 AES-128 S8 (the card answers its static key)",
    curve: CURVES["P-256"],
    ...P256,
    authenticate: MA_P256_AES128.replace("80820311", "80820315").replace("9002110195", "9002110395"),
    response: `5F4941${P256.pkSd}86100B9394B90AEC0BC62F1F024E6D748ADD`,
    macLength: 8,
    listCommand: "84F2200018D2AAA03B2F7B80150EEB1A62CE525FA9B98055B95E2E35A4",
    listResponse:
      "A05ADFADAF85CD3E9FCBBC05597FFA61B6328C799934B35A92AA3ABC3B7596FD6E77F30C5A7D6758A2636A26FF81C1A9643C189D834565C153D34A1901B1D706411CE2DC076B51779000",
  },
  {
    name: "SCP11a P-384 AES-128 S8 (SD key from its X.509 certificate)",
    curve: CURVES["P-384"],
    eskOce: "3AAC19DDC038D1E72505408655A12D3B23AE40F6DE1EDE601841ECA661B73FB5E04228FC06B189D2A51C4A32882D80C1",
    skOce: "77DF94B51840300D76B7F67ACD7FC4E2582DC1516AF64E0F41D267431B6C8CCEF3E77373A0C2A08B98C69E04F84E734B",
    pkSd: toHex(x509PublicKey(fromHex(SD_CERT_P384)).point),
    authenticate:
      "8082031173A60D9002110195013C8001888101105F4961040F1CE002390591146ADD42431658340901B353554AA2B55BC04E2881CD7C304FEC19F8FD335B203AA38D87CDA384BFD55BD8E74125570C706A9529D58985B830329AEA7D1E134F6C3AD070C5710ACF4C993E17E5083F6EDE516CD5BA42938BD200",
    response:
      "5F496104EEC592E058CF5DB6F0AE27135FDFBE665A335CFEED6DDF1CE102275562A2335275C280D1A89C01DF87D9B53345198295597340AD82E338634C17B6DA26A67D70FA3942704EFBD1DD17DDF1A40D7F61F0971D0CE4B2F5C4DF63348AE60BEC160C86102881E4BCF4FDEF0C04F673D559EA886B",
    macLength: 8,
    listCommand: "84F2200018F86C8231D2147A2B08739DBC6B137503CDB33132B9106E3A",
    listResponse:
      "0B8F93064E8DF9A65B27EADEC63A25B855B3FE445D76831D855F03F8A5C8E396EB0905F2D9CBFFAAC96ABC679BDFD679CE7B0E75E1FE6EFDAEDAE4E0E0F9032398F704F4FC8F53AB9000",
  },
];

describe.each(TRANSCRIPTS)("$name", (t) => {
  const cmd = CommandApdu.parse(fromHex(t.authenticate));
  const { crt, crtBytes, ePkOce } = parseAuthenticateData(cmd.data);
  const [epk, receipt] = parseTlvs(fromHex(t.response));
  const ePkSd = epk!.value;
  const keys = scp11SessionKeys(
    ecdh(t.curve, fromHex(t.eskOce), ePkSd),
    ecdh(t.curve, fromHex(t.skOce), fromHex(t.pkSd)),
    crt.usage,
    crt.keyLength,
  );

  test("the receipt matches the card's", () => {
    expect(toHex(scp11Receipt(keys.receipt, crtBytes, ePkOce, ePkSd))).toBe(toHex(receipt!.value));
  });

  test("GET STATUS is wrapped byte for byte as in the transcript, and its answer decrypts", () => {
    const session = new Scp03Session(keys, 0, { chain: receipt!.value, macLength: t.macLength });
    const wrapped = session.wrapCommand(new CommandApdu({ cla: 0x80, ins: 0xf2, p1: 0x20, p2: 0x00, data: fromHex("4F00") }), 0x33);
    expect(toHex(wrapped.toBytes())).toBe(t.listCommand);
    const plain = session.unwrapResponse(ResponseApdu.parse(fromHex(t.listResponse)), 0x33);
    expect(toHex(plain.data)).toBe(LIST_PACKAGES_PLAIN);
  });
});

// --- the same primitives through an independent implementation -------------------------------

const openssl = spawnSync("openssl", ["version"], { encoding: "utf8" }).status === 0;
if (CI && !openssl) throw new Error("openssl is missing: it cross-checks the SCP11 primitives (Debian package openssl)");

function run(args: string[]): string {
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

describe("primitives against openssl", () => {
  test.if(openssl)("ECDH on P-256, P-384 and P-521 agrees with openssl pkeyutl -derive", () => {
    const dir = mkdtempSync(join(tmpdir(), "webcard-scp11-"));
    try {
      for (const curve of Object.values(CURVES)) {
        const a = generateEcKey(curve);
        const b = generateEcKey(curve);
        writeFileSync(join(dir, "a.pem"), ecKeyPem(a));
        writeFileSync(join(dir, "b.pem"), ecKeyPem({ curve, point: b.point }));
        run(["pkeyutl", "-derive", "-inkey", join(dir, "a.pem"), "-peerkey", join(dir, "b.pem"), "-out", join(dir, "z")]);
        const theirs = new Uint8Array(readFileSync(join(dir, "z")));
        expect(toHex(ecdh(curve, a.d, b.point))).toBe(toHex(theirs));
        expect(toHex(ecdh(curve, b.d, a.point))).toBe(toHex(theirs));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.if(openssl)("an X.509 chain made by openssl verifies against its CA key, and not against another", () => {
    const dir = mkdtempSync(join(tmpdir(), "webcard-scp11-x509-"));
    try {
      const ca = generateEcKey(CURVES["P-256"]);
      const leaf = generateEcKey(CURVES["P-256"]);
      writeFileSync(join(dir, "ca.pem"), ecKeyPem(ca));
      writeFileSync(join(dir, "leaf.pem"), ecKeyPem(leaf));
      run(["req", "-new", "-x509", "-key", join(dir, "ca.pem"), "-subj", "/CN=CA-KLOC test", "-days", "30", "-out", join(dir, "ca.crt")]);
      run(["req", "-new", "-key", join(dir, "leaf.pem"), "-subj", "/CN=SD test", "-out", join(dir, "leaf.csr")]);
      run(["x509", "-req", "-in", join(dir, "leaf.csr"), "-CA", join(dir, "ca.crt"), "-CAkey", join(dir, "ca.pem"), "-CAcreateserial", "-days", "30", "-outform", "DER", "-out", join(dir, "leaf.der")]);
      const der = new Uint8Array(readFileSync(join(dir, "leaf.der")));
      const now = new Date();
      expect(toHex(x509ChainKey([der], ca, now).point)).toBe(toHex(leaf.point));
      expect(() => x509ChainKey([der], generateEcKey(CURVES["P-256"]), now)).toThrow(/does not verify with the trusted CA's key/);
      expect(() => x509ChainKey([der], ca, new Date(now.getTime() + 90 * 86_400_000))).toThrow(/expired on/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.if(openssl)("X9.63 KDF with SHA-256 agrees with openssl kdf X963KDF", () => {
    const z = fromHex(P256.skOce + P256.eskOce);
    for (const length of [80, 120, 160]) {
      const info = Uint8Array.of(0x3c, 0x88, length / 5);
      const theirs = run(["kdf", "-keylen", String(length), "-kdfopt", "digest:SHA256", "-kdfopt", `hexkey:${toHex(z)}`, "-kdfopt", `hexinfo:${toHex(info)}`, "X963KDF"]);
      expect(toHex(x963Kdf(z, info, length))).toBe(theirs.trim().replaceAll(":", ""));
    }
  });

  test.if(openssl)("AES-CMAC (128, 192, 256) agrees with openssl mac CMAC", () => {
    const data = fromHex(`${MA_P256_AES128}${EPK_SD_P256}`);
    for (const bits of [128, 192, 256]) {
      const key = fromHex(P256.eskOce).slice(0, bits / 8);
      for (const n of [0, 16, 17, data.length]) {
        const theirs = spawnSync("openssl", ["mac", "-cipher", `AES-${bits}-CBC`, "-macopt", `hexkey:${toHex(key)}`, "CMAC"], { input: data.slice(0, n) });
        expect(toHex(aesCmac(key, data.slice(0, n)))).toBe(theirs.stdout.toString().trim());
      }
    }
  });
});
