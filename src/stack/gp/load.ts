/**
 * LOAD (GP 11.6): the load file is `[E2 DAP blocks...] C4 <BER length> LFDB`,
 * cut into blocks sent as `80 E8 P1 P2 Lc block`, P1 80 on the last block
 * and 00 before it, P2 the block number 00-FF. P2 is one byte, so a load has
 * at most 256 blocks: a larger file is refused, never wrapped around.
 */
import { CommandApdu } from "../apdu.ts";
import { concat } from "../bytes.ts";
import { WebcardError } from "../errors.ts";
import { encodeTlv } from "../tlv.ts";
import { CLA, INS, LOAD_P1, MAX_LOAD_BLOCKS, TAG } from "./constants.ts";

/** A load file that needs more LOAD blocks than P2 can number. */
export class LoadTooLargeError extends WebcardError {
  override name = "LoadTooLargeError";
  readonly blocks: number;
  readonly blockSize: number;
  readonly bytes: number;
  constructor(bytes: number, blockSize: number, blocks: number) {
    super(
      `Load file of ${bytes} bytes needs ${blocks} LOAD blocks of ${blockSize} bytes, more than the ${MAX_LOAD_BLOCKS} that LOAD can number (one-byte P2)`,
      {
        hint: "split the package into smaller ones, or use a larger --block-size if the card takes longer commands",
      },
    );
    this.bytes = bytes;
    this.blockSize = blockSize;
    this.blocks = blocks;
  }
}

/** A DAP block (GP 11.6.2.3): the signature of one security domain over the LFDB. */
export interface DapBlock {
  securityDomainAid: Uint8Array;
  signature: Uint8Array;
}

/** The bytes that LOAD carries: DAP blocks, then `C4 <length> LFDB`. */
export function loadFileBytes(lfdb: Uint8Array, dap: readonly DapBlock[] = []): Uint8Array {
  const daps = dap.map((d) =>
    encodeTlv(TAG.DAP_BLOCK, encodeTlv(TAG.DAP_SD_AID, d.securityDomainAid), encodeTlv(TAG.DAP_SIGNATURE, d.signature)),
  );
  return concat(...daps, encodeTlv(TAG.LFDB, lfdb));
}

/** Largest LOAD block: an extended-length command's data field (blocks over 255 need extended APDUs). */
export const MAX_EXTENDED_BLOCK = 65_535;

function checkBlockSize(blockSize: number): void {
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > MAX_EXTENDED_BLOCK) {
    throw new RangeError(`LOAD block size must be 1..${MAX_EXTENDED_BLOCK}, got ${blockSize}`);
  }
}

/** How many LOAD blocks `totalBytes` of load file take at `blockSize`. */
export function loadBlockCount(totalBytes: number, blockSize: number): number {
  checkBlockSize(blockSize);
  return Math.max(1, Math.ceil(totalBytes / blockSize));
}

/** Throw LoadTooLargeError when the load file does not fit in 256 blocks. */
export function checkLoadFits(totalBytes: number, blockSize: number): number {
  const blocks = loadBlockCount(totalBytes, blockSize);
  if (blocks > MAX_LOAD_BLOCKS) throw new LoadTooLargeError(totalBytes, blockSize, blocks);
  return blocks;
}

/** The LOAD commands for `loadFile` (the output of loadFileBytes), in order. Refuses more than 256 blocks. */
export function loadBlocks(loadFile: Uint8Array, blockSize: number): CommandApdu[] {
  const count = checkLoadFits(loadFile.length, blockSize);
  const out: CommandApdu[] = [];
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    out.push(
      new CommandApdu({
        cla: CLA.GP,
        ins: INS.LOAD,
        p1: last ? LOAD_P1.LAST_BLOCK : LOAD_P1.MORE_BLOCKS,
        p2: i,
        data: loadFile.subarray(i * blockSize, Math.min(loadFile.length, (i + 1) * blockSize)),
      }),
    );
  }
  return out;
}
