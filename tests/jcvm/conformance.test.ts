/**
 * Bytecode conformance (JCVM 3.0.5 chapter 7): each case is a snippet in the
 * assembler that leaves one short on the operand stack, run inside an
 * applet's process(); the applet sends it back (Util.setShort, then
 * setOutgoingAndSend). A case that must throw gives the status word the
 * JCRE answers instead: the ISOException's reason, or 6F00.
 */
import { describe, test, expect } from "bun:test";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { assembleMethod, PROCESS_SKIPS_SELECT } from "../../src/stack/cap/writer/assembler.ts";
import { instanceFieldRef } from "../../src/stack/cap/writer/spec.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";

const AID = "A0000006472F000401";
const FW = 0x80;
const ENTRIES: [string, number[]][] = [
  ["getBuffer", [3, FW, 10, 1]],
  ["send", [3, FW, 10, 8]],
  ["setShort", [6, FW, 16, 6]],
  ["throwIt", [6, FW, 7, 1]], // ISOException.throwIt(S)V
  ["APDU", [1, FW, 10, 0]], // Classref javacard.framework.APDU
  ["Object", [1, 0x81, 0, 0]], // Classref java.lang.Object (import token 1)
  ["AID", [1, FW, 0, 0]], // Classref javacard.framework.AID
  ["ISOException", [1, FW, 7, 0]],
  ["getReason", [3, FW, 7, 1]], // ISOException.getReason()S (CardRuntimeException's, virtual token 1)
  ["ArithmeticException", [1, 0x81, 9, 0]],
  ["RuntimeException", [1, 0x81, 3, 0]],
  // Instance fields of the applet class (fields: 1 reference, 3 short cells): a byte[], two shorts, and an int over tokens 2-3.
  ["array", [...instanceFieldRef(0)]],
  ["count", [...instanceFieldRef(1)]],
  ["number", [...instanceFieldRef(2)]],
];
const CONSTANTS = Object.fromEntries(ENTRIES.map(([name], i) => [name, 5 + i]));

function source(snippet: string): string {
  return `${PROCESS_SKIPS_SELECT}
  aload_2
  sconst_0
  ${snippet}
  invokestatic #setShort
  pop
  aload_1
  sconst_0
  sconst_2
  invokevirtual #send
  return
`;
}

async function run(snippet: string, maxStack = 8): Promise<string> {
  const cap = parseLoadFile(
    writeCap({
      packageAid: fromHex("A0000006472F0004"),
      packageName: "test.conformance",
      applets: [{ aid: fromHex(AID), className: "Ops" }],
      process: { maxStack, maxLocals: 4, ...assembleMethod(source(snippet), CONSTANTS) },
      fields: { references: 1, shorts: 3 },
      constants: ENTRIES.map(([, bytes]) => Uint8Array.from(bytes)),
    }),
  );
  const card = createSimulatedCard({ open: true });
  try {
    for (const c of installSequence(cap)) expect(swOf(toHex(await card.process(c)))).toBe("9000");
    expect(await apdu(card, `00A4040009${AID}`)).toBe("9000");
    return await apdu(card, "8001000002");
  } finally {
    card.close();
  }
}

const value = (v: number) => `${(v & 0xffff).toString(16).toUpperCase().padStart(4, "0")}9000`;

const CASES: [string, string, string][] = [
  // short arithmetic (results truncated to 16 bits)
  ["sadd", "sspush 1000\n sspush 234\n sadd", value(1234)],
  ["ssub", "sspush 5\n sspush 9\n ssub", value(-4)],
  ["smul overflows to 16 bits", "sspush 300\n sspush 300\n smul", value(90000)],
  ["sdiv rounds toward zero", "bspush -7\n sconst_2\n sdiv", value(-3)],
  ["srem takes the dividend's sign", "bspush -7\n sconst_2\n srem", value(-1)],
  ["sneg", "sspush 0x7FFF\n sneg", value(-0x7fff)],
  ["sshl", "sconst_1\n bspush 15\n sshl", value(-32768)],
  ["sshr is arithmetic", "bspush -16\n sconst_2\n sshr", value(-4)],
  ["sushr of a negative short", "bspush -16\n sconst_2\n sushr", value(-4)],
  ["sand sor sxor", "sspush 0x0FF0\n sspush 0x00FF\n sand\n sspush 0x7000\n sor\n sspush 0x0001\n sxor", value(0x70f1)],
  ["s2b", "sspush 0x01FF\n s2b", value(-1)],
  ["sinc", "sconst_0\n sstore_3\n sinc 3 -5\n sinc_w 3 1000\n sload_3", value(995)],
  ["dup_x (m=1, n=2)", "sconst_1\n sconst_2\n dup_x 0x12\n sadd\n sadd", value(5)],
  ["swap_x (m=1, n=1)", "sconst_1\n sconst_2\n swap_x 0x11\n ssub", value(1)],
  ["dup2 pop2 pop", "sconst_3\n sconst_4\n dup2\n pop2\n pop", value(3)],
  // int arithmetic (ACC_INT)
  ["iadd then i2s", "sipush 30000\n sipush 30000\n iadd\n i2s", value(60000)],
  ["imul", "bipush 3\n bipush 7\n imul\n i2s", value(21)],
  ["idiv irem", "iipush -100000\n bipush 7\n idiv\n bipush 100\n irem\n i2s", value(-85)],
  ["iushr", "iconst_m1\n bipush 28\n iushr\n i2s", value(15)],
  ["ishl ishr", "iconst_1\n bipush 20\n ishl\n bipush 18\n ishr\n i2s", value(4)],
  ["iand ior ixor ineg", "iipush 0x00FF00FF\n iipush 0x0F0F0F0F\n iand\n iconst_1\n ior\n iconst_m1\n ixor\n ineg\n i2s", value(0x0010)],
  ["icmp", "iipush 100000\n iipush 99999\n icmp", value(1)],
  ["s2i i2b", "sspush 0x1234\n s2i\n i2b", value(0x34)],
  ["istore iload iinc", "iipush 70000\n istore_2\n iinc 2 5\n iinc_w 2 -1000\n iload_2\n bipush 10\n idiv\n i2s", value(6900)],
  // branches
  ["ifeq", "sconst_0\n ifeq yes\n sconst_1\n goto end\nyes:\n sconst_2\nend:", value(2)],
  ["iflt_w", "sconst_m1\n iflt_w yes\n sconst_1\n goto_w end\nyes:\n sconst_3\nend:", value(3)],
  ["if_scmpge", "sconst_2\n sconst_2\n if_scmpge yes\n sconst_1\n goto end\nyes:\n sconst_4\nend:", value(4)],
  ["ifnull", "aconst_null\n ifnull yes\n sconst_1\n goto end\nyes:\n sconst_5\nend:", value(5)],
  ["if_acmpne", "aload_1\n aload_2\n if_acmpne yes\n sconst_1\n goto end\nyes:\n bspush 6\nend:", value(6)],
  ["jsr and ret: a subroutine run twice (§7.5 jsr, ret)", "sconst_1\n sstore 4\n jsr sub\n jsr sub\n sload 4\n goto end\nsub:\n astore_3\n sload 4\n sconst_3\n smul\n sstore 4\n ret 3\nend:", value(9)],
  // arrays
  ["newarray byte, bastore, baload", "bspush 5\n newarray 11\n astore_3\n aload_3\n sconst_2\n bspush 42\n bastore\n aload_3\n sconst_2\n baload", value(42)],
  ["newarray short, sastore, saload", "bspush 3\n newarray 12\n astore_3\n aload_3\n sconst_1\n sspush -2\n sastore\n aload_3\n sconst_1\n saload", value(-2)],
  ["newarray int, iastore, iaload", "sconst_2\n newarray 13\n astore_3\n aload_3\n sconst_1\n iipush 0x12345678\n iastore\n aload_3\n sconst_1\n iaload\n i2s", value(0x5678)],
  ["anewarray, aastore, aaload, arraylength", "sconst_4\n anewarray #Object\n astore_3\n aload_3\n sconst_3\n aload_1\n aastore\n aload_3\n sconst_3\n aaload\n aload_1\n if_acmpeq same\n sconst_0\n goto end\nsame:\n aload_3\n arraylength\nend:", value(4)],
  ["arraylength of the APDU buffer", "aload_2\n arraylength", value(261)],
  // types
  ["instanceof a class", "aload_1\n instanceof 0 #APDU", value(1)],
  ["instanceof a byte array", "aload_2\n instanceof 11 0", value(1)],
  ["instanceof another class", "aload_1\n instanceof 0 #AID", value(0)],
  ["checkcast that holds", "aload_2\n checkcast 11 0\n arraylength", value(261)],
  // exceptions (status words)
  ["ISOException gives its reason", "sspush 0x6A82\n invokestatic #throwIt\n sconst_0", "6A82"],
  ["checkcast that fails: ClassCastException, 6F00", "aload_1\n checkcast 0 #AID\n pop\n sconst_0", "6F00"],
  ["ArithmeticException (division by zero), 6F00", "sconst_1\n sconst_0\n sdiv", "6F00"],
  ["NullPointerException, 6F00", "aconst_null\n arraylength", "6F00"],
  ["ArrayIndexOutOfBoundsException, 6F00", "aload_2\n sspush 300\n baload", "6F00"],
  ["NegativeArraySizeException, 6F00", "sconst_m1\n newarray 11\n arraylength", "6F00"],
  // switches (§7.5 stableswitch, itableswitch, slookupswitch, ilookupswitch)
  ...[2, 9, -1].map((k): [string, string, string] => [
    `stableswitch on ${k}`,
    `bspush ${k}\n stableswitch other 1 3 one two three\none:\n sconst_1\n goto end\ntwo:\n sconst_2\n goto end\nthree:\n sconst_3\n goto end\nother:\n bspush 99\nend:`,
    value(k === 2 ? 2 : 99),
  ]),
  ...[-300, 7, 8].map((k): [string, string, string] => [
    `slookupswitch on ${k}`,
    `sspush ${k}\n slookupswitch other 2 -300 low 7 seven\nlow:\n bspush 10\n goto end\nseven:\n bspush 70\n goto end\nother:\n bspush 99\nend:`,
    value(k === -300 ? 10 : k === 7 ? 70 : 99),
  ]),
  ["itableswitch on an int beyond 16 bits", "iipush 100001\n itableswitch other 100000 100002 a b c\na:\n sconst_1\n goto end\nb:\n sconst_2\n goto end\nc:\n sconst_3\n goto end\nother:\n bspush 99\nend:", value(2)],
  ["ilookupswitch default", "iipush -5\n ilookupswitch other 2 -70000 a 70000 b\na:\n sconst_1\n goto end\nb:\n sconst_2\n goto end\nother:\n bspush 99\nend:", value(99)],
  ["ilookupswitch match", "iipush 70000\n ilookupswitch other 2 -70000 a 70000 b\na:\n sconst_1\n goto end\nb:\n sconst_2\n goto end\nother:\n bspush 99\nend:", value(2)],
  // exception handlers (§6.10, §7.5 athrow): the handler sees a stack holding the exception only
  ...[
    ["a handler of the exception's class", "#ArithmeticException"],
    ["a handler of its superclass", "#RuntimeException"],
    ["a catch-all handler (finally)", "0"],
  ].map(([what, type]): [string, string, string] => [
    `ArithmeticException caught by ${what}`,
    `try:\n sconst_1\n sconst_0\n sdiv\ntried:\n goto end\ncaught:\n pop\n aload_2\n sconst_0\n bspush 77\nend:\n.catch try tried caught ${type}`,
    value(77),
  ]),
  [
    "the first matching handler wins: an ISOException handler is passed over for the ArithmeticException one",
    "try:\n sconst_1\n sconst_0\n sdiv\ntried:\n goto end\niso:\n pop\n aload_2\n sconst_0\n bspush 11\n goto end\narith:\n pop\n aload_2\n sconst_0\n bspush 22\nend:\n.catch try tried iso #ISOException\n.catch try tried arith #ArithmeticException",
    value(22),
  ],
  [
    "an ISOException thrown by the API is caught and its reason read",
    "try:\n sspush 0x6A82\n invokestatic #throwIt\ntried:\n sconst_0\n goto end\ncaught:\n invokevirtual #getReason\n sstore_3\n aload_2\n sconst_0\n sload_3\nend:\n.catch try tried caught #ISOException",
    value(0x6a82),
  ],
  ["a handler of another class lets the exception go: 6F00", "try:\n sconst_1\n sconst_0\n sdiv\ntried:\n goto end\ncaught:\n pop\n aload_2\n sconst_0\n sconst_0\nend:\n.catch try tried caught #ISOException", "6F00"],
  ["a handler outside the range does not apply: 6F00", "sconst_1\n sconst_0\n sdiv\ntry:\n nop\ntried:\n goto end\ncaught:\n pop\n aload_2\n sconst_0\n sconst_0\nend:\n.catch try tried caught 0", "6F00"],
  // instance fields of the applet (getfield/putfield in their forms)
  ["putfield_s_this, getfield_s_this", "sspush 1234\n putfield_s_this #count\n getfield_s_this #count", value(1234)],
  ["putfield_s, getfield_s", "aload_0\n sspush -77\n putfield_s #number\n aload_0\n getfield_s #number", value(-77)],
  ["putfield_b keeps a byte", "aload_0\n sspush 0x1FF\n putfield_b #count\n aload_0\n getfield_b #count", value(-1)],
  ["putfield_a, getfield_a", "aload_0\n aload_2\n putfield_a #array\n aload_0\n getfield_a #array\n arraylength", value(261)],
  ["putfield_a_this, getfield_a_this", "aload_2\n putfield_a_this #array\n getfield_a_this #array\n arraylength", value(261)],
  ["putfield_i, getfield_i (an int over two cells)", "aload_0\n iipush 0x12345678\n putfield_i #number\n aload_0\n getfield_i #number\n bipush 16\n iushr\n i2s", value(0x1234)],
  ["putfield_i_this, getfield_i_this", "iipush -100000\n putfield_i_this #number\n getfield_i_this #number\n bipush 10\n idiv\n i2s", value(-10000)],
  ["putfield_s_w, getfield_s_w (2-byte index)", "aload_0\n sspush 4321\n putfield_s_w #count\n aload_0\n getfield_s_w #count", value(4321)],
  ["putfield_b_w, getfield_b_w", "aload_0\n bspush -3\n putfield_b_w #count\n aload_0\n getfield_b_w #count", value(-3)],
  ["putfield_a_w, getfield_a_w", "aload_0\n aload_2\n putfield_a_w #array\n aload_0\n getfield_a_w #array\n arraylength", value(261)],
  ["putfield_i_w, getfield_i_w", "aload_0\n iipush 65537\n putfield_i_w #number\n aload_0\n getfield_i_w #number\n i2s", value(1)],
  ["a field's default is 0", "getfield_s_this #count", value(0)],
  ["getfield on null: NullPointerException, 6F00", "aconst_null\n getfield_s #count", "6F00"],
];

describe("bytecodes", () => {
  test.each(CASES)("%s", async (_name, snippet, expected) => {
    expect(await run(snippet)).toBe(expected);
  });
});
