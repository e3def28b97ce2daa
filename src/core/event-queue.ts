/**
 * An async iterable fed by callbacks (bus events): values queue until the subscriber pulls them, and
 * `return()` (the client unsubscribing or disconnecting) runs the cleanup once. `fail()` ends it with an
 * error (the bus dropped the subscription), which the client receives after the values already queued.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly values: T[] = [];
  private readonly waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void }> =
    [];
  private done = false;
  private failure: Error | null = null;
  private readonly cleanups: Array<() => Promise<void>> = [];

  push(value: T): void {
    if (this.done) return;
    const next = this.waiting.shift();
    if (next) next.resolve({ value, done: false });
    else this.values.push(value);
  }

  onClose(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  /** Ends the stream with `error` after what is queued, and runs the cleanup. */
  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    const [first, ...rest] = this.waiting.splice(0);
    if (first) {
      this.failure = null;
      first.reject(error);
    }
    for (const w of rest) w.resolve({ value: undefined, done: true });
    void this.cleanup();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.values.length > 0) return Promise.resolve({ value: this.values.shift()!, done: false });
    if (this.failure) {
      const error = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      for (const w of this.waiting.splice(0)) w.resolve({ value: undefined, done: true });
      await this.cleanup();
    }
    return { value: undefined, done: true };
  }

  private async cleanup(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) await cleanup().catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
