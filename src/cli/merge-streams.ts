/** Several async event streams as one, in arrival order, until `signal` aborts; the first failure ends it once the queue is drained. */
export async function* mergeStreams<T>(streams: AsyncIterable<T>[], signal: AbortSignal): AsyncIterable<T> {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  let running = streams.length;
  for (const s of streams) {
    void (async () => {
      try {
        for await (const e of s) {
          queue.push(e);
          wake?.();
        }
      } catch (e) {
        failure ??= e;
      } finally {
        running--;
        wake?.();
      }
    })();
  }
  while (!signal.aborted) {
    const e = queue.shift();
    if (e) {
      yield e;
      continue;
    }
    if (failure !== undefined) throw failure;
    if (running === 0) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }
}
