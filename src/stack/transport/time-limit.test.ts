import { describe, expect, test } from "bun:test";
import { TransportError } from "../errors.ts";
import { withTimeLimit } from "./time-limit.ts";
import type { Transport } from "./transport.ts";

const answering: Transport = { name: "card", transmit: async () => Uint8Array.of(0x90, 0x00) };
const silent: Transport = { name: "silent card", transmit: () => new Promise<Uint8Array>(() => {}) };

describe("withTimeLimit", () => {
  test("an answer comes through unchanged", async () => {
    expect(await withTimeLimit(answering, 60_000).transmit(Uint8Array.of(0, 0xa4, 4, 0))).toEqual(Uint8Array.of(0x90, 0x00));
  });

  test("a card that never answers fails as a timeout, with what to do", async () => {
    const error = await withTimeLimit(silent, 20).transmit(Uint8Array.of(0, 0xa4, 4, 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe("timeout");
    expect((error as TransportError).message).toBe("silent card did not answer within 0.02 s");
    expect((error as TransportError).hint).toBe("give it longer with --timeout");
  });

  test("a limit that is not positive is a bug", () => {
    expect(() => withTimeLimit(answering, 0)).toThrow(RangeError);
  });
});
