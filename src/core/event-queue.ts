/**
 * An async iterable fed by callbacks (bus events): values queue until the subscriber pulls them, and
 * `return()` (the client unsubscribing or disconnecting) runs the cleanup once.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly values: T[] = [];
  private readonly waiting: Array<(r: IteratorResult<T>) => void> = [];
  private done = false;
  private readonly cleanups: Array<() => Promise<void>> = [];

  push(value: T): void {
    if (this.done) return;
    const next = this.waiting.shift();
    if (next) next({ value, done: false });
    else this.values.push(value);
  }

  onClose(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.values.length > 0) return Promise.resolve({ value: this.values.shift()!, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      for (const w of this.waiting.splice(0)) w({ value: undefined, done: true });
      for (const cleanup of this.cleanups) await cleanup();
    }
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
