// The embedded store's changes run on a thread of their own: SQLite's statements, commits and WAL page writes take
// about half of a delivery's CPU, and on the event loop they left the second core to the thread pool's syncs. The
// thread has its own connection and the same store code; reads stay on the event loop's connection (WAL readers
// never wait for the writer, and a change is acknowledged only once committed and synced, so a read after it sees it).
import { Worker } from "node:worker_threads";
import { receiveError, restoreBuffers, type SentError } from "./thread-values.js";

/** A call of one store part's method (part null: the store's own, such as repair), answered by its id. */
export interface ThreadCall {
  id: number;
  part: string | null;
  method: string;
  args: unknown[];
}

export type ThreadAnswer = { id: number; value: unknown } | { id: number; error: SentError };

/** What the thread says on its own: opened (or failed to), and closed. */
export type ThreadNotice = { ready: true } | { openFailed: SentError } | { closed: true };

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class WriteThread {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private stopped: Error | null = null;
  private closing: Promise<void> | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (m: ThreadAnswer | ThreadNotice) => {
      if (!("id" in m)) return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) worker.unref();
      if ("error" in m) w.reject(receiveError(m.error));
      else w.resolve(restoreBuffers(m.value));
    });
    worker.on("error", (err) => this.stop(err));
    worker.on("exit", (code) =>
      this.stop(new Error(`The embedded store's write thread exited (code ${code}).`)),
    );
  }

  /** Starts the thread on the store in `dataDir` (already created and migrated) and waits until it has opened it. */
  static async start(dataDir: string): Promise<WriteThread> {
    const worker = startWorker({ dataDir });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: ThreadNotice) => {
        if ("ready" in m) done(null);
        else if ("openFailed" in m) done(receiveError(m.openFailed));
      };
      const onError = (err: Error) => done(err);
      const onExit = (code: number) =>
        done(new Error(`The embedded store's write thread exited (code ${code}).`));
      const done = (err: Error | null) => {
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        if (err) {
          void worker.terminate();
          reject(err);
        } else resolve();
      };
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    });
    // Idle, the thread does not keep the process alive; a call in flight does (see call()).
    worker.unref();
    return new WriteThread(worker);
  }

  call(part: string | null, method: string, args: unknown[]): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, part, method, args } satisfies ThreadCall);
    });
  }

  /** Lets the changes in flight finish and be synced, closes the thread's connection and ends the thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.stopped) return;
      this.worker.ref();
      const closed = new Promise<void>((resolve) =>
        this.worker.on("message", (m: ThreadNotice) => {
          if ("closed" in m) resolve();
        }),
      );
      this.worker.postMessage({ close: true });
      await Promise.race([closed, new Promise((resolve) => this.worker.once("exit", resolve))]);
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private stop(err: Error): void {
    this.stopped ??= err;
    for (const w of this.waiting.values()) w.reject(this.stopped);
    this.waiting.clear();
  }
}

/**
 * The thread runs the compiled module beside this one; under a TypeScript runner (the tests) it is the .ts source,
 * which a plain worker cannot load, so tsx's loader is registered in the thread first.
 */
function startWorker(workerData: { dataDir: string }): Worker {
  const entry = new URL(
    import.meta.url.endsWith(".ts") ? "./write-worker.ts" : "./write-worker.js",
    import.meta.url,
  );
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, { workerData });
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
