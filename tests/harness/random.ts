/** Seeded randomness for the fuzz and robustness tests, so a failure replays exactly. */

/** mulberry32: a small seeded generator. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  };
}

export type Rng = ReturnType<typeof rng>;

/** One to four random edits of `base`: a byte replaced, a bit flipped, bytes cut or inserted, or the tail dropped. */
export function mutate(r: Rng, base: Uint8Array): Uint8Array {
  const out = Array.from(base);
  for (let i = 0, n = 1 + r.int(4); i < n; i++) {
    const at = r.int(Math.max(1, out.length));
    switch (r.int(5)) {
      case 0:
        out[at] = r.int(256);
        break;
      case 1:
        out[at] = (out[at] ?? 0) ^ (1 << r.int(8));
        break;
      case 2:
        out.splice(at, 1 + r.int(4));
        break;
      case 3:
        out.splice(at, 0, ...r.bytes(1 + r.int(8)));
        break;
      default:
        out.length = Math.min(out.length, at);
    }
  }
  return Uint8Array.from(out);
}
