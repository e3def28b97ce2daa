// Progress of a long job: a bar redrawn in place on a terminal, plain lines now and then otherwise (a log file,
// a pipe, a CI job), as the design's command-line conventions say.

export interface ProgressState {
  count: number;
  bytes: number;
  totalBytes: number;
  elapsedMs: number;
}

const BAR_WIDTH = 24;
/** Plain output: a line at most this often. */
const PLAIN_INTERVAL_MS = 5000;
/** Terminal output: redraw at most this often. */
const TTY_INTERVAL_MS = 100;

/** `[#####-----]  42%  1,234 messages  3.2 MB/s  ETA 0:17`, without the bar for plain output. */
export function formatProgress(s: ProgressState, bar: boolean): string {
  const fraction = s.totalBytes > 0 ? Math.min(1, s.bytes / s.totalBytes) : 0;
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? s.bytes / seconds : 0;
  const eta = rate > 0 ? (s.totalBytes - s.bytes) / rate : null;
  const filled = Math.round(fraction * BAR_WIDTH);
  return [
    bar ? `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]` : null,
    `${Math.floor(fraction * 100)
      .toString()
      .padStart(3)}%`,
    `${s.count.toLocaleString("en-US")} messages`,
    `${(rate / 1e6).toFixed(1)} MB/s`,
    `ETA ${eta === null ? "?" : duration(eta)}`,
  ]
    .filter((part) => part !== null)
    .join("  ");
}

/** h:mm:ss or m:ss. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export class Progress {
  readonly started = Date.now();
  private last = this.started;
  count = 0;
  bytes = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly totalBytes: number,
  ) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** One more message of `bytes` bytes. */
  tick(bytes: number): void {
    this.count++;
    this.bytes += bytes;
    const now = Date.now();
    if (now - this.last < (this.tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS)) return;
    this.last = now;
    this.write();
  }

  /** Clears the bar (a terminal) so the summary starts on a clean line. */
  done(): void {
    if (this.tty) this.out.write("\r\x1b[K");
  }

  private write(): void {
    const line = formatProgress(
      {
        count: this.count,
        bytes: this.bytes,
        totalBytes: this.totalBytes,
        elapsedMs: Date.now() - this.started,
      },
      this.tty,
    );
    this.out.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
  }
}
