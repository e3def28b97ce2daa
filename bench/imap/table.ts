// The Markdown table of IMAP side by side with Dovecot (bench/README.md and README.md carry it).
import type { ImapColumn, ImapResult } from "../imap.js";
import type { LatencySummary } from "../lib/stats.js";
import type { BigMailboxResult, Timed } from "./big-mailbox.js";
import type { NotifyResult } from "./notify.js";
import type { StressResult } from "./stress.js";

type Column = ImapResult["dovecot"];
type Value<T> = T | { error: string } | undefined;

export function imapTable(v: ImapResult): string {
  const { embedded, dovecot, ferretdb } = v;
  const columns: Column[] = [embedded, dovecot, ferretdb];
  const rows: string[][] = [];
  const row = (title: string, show: (c: Column) => string, ratio = "") =>
    rows.push([title, ...columns.map(show), ratio]);

  row(
    `FETCH 1:* (BODY.PEEK[]), INBOX of ${fmt(v.sizes.fetchMessages)} corpus messages, median of ${v.sizes.fetchRepeats}`,
    (c) =>
      cell(
        c,
        (x) => x.fetch,
        (f) =>
          `${fmt(f.seconds * 1000)} ms (${fmt(f.messages)} msgs, ${fmt(f.megabytes)} MB; first ${fmt(f.runs[0] * 1000)} ms)`,
      ),
    ratioOf(
      v,
      (x) => x.fetch,
      (f) => f.seconds,
      "the time",
    ),
  );
  const s = v.sizes;
  row(
    `Mixed-command stress, ${s.stressClients} clients × ${s.stressLoops} sessions (LOGIN … LOGOUT, 8 commands)`,
    (c) =>
      cell(
        c,
        (x) => x.stress,
        (r) => `${fmt(r.commandsPerSecond)} commands/s`,
      ),
    ratioOf(
      v,
      (x) => x.stress,
      (r) => r.commandsPerSecond,
      "the rate",
    ),
  );
  row(
    "↳ Dovecot's passwords as BLF-CRYPT (cost 10; Eider's are always scrypt)",
    (c) =>
      c === dovecot
        ? cell(
            c,
            (x) => x.stressHashed,
            (r) => `${fmt(r.commandsPerSecond)} commands/s`,
          )
        : c === embedded
          ? cell(
              c,
              (x) => x.stress,
              (r) => `${fmt(r.commandsPerSecond)} commands/s`,
            )
          : "",
    stressRatio(v),
  );
  row("↳ p50 ms: LOGIN / SELECT / FETCH / STORE / SEARCH / APPEND / EXPUNGE / LOGOUT", (c) =>
    c === ferretdb ? "" : cell(c, (x) => x.stress, perCommand),
  );
  row("↳ server CPU per command (all its processes)", (c) =>
    c === ferretdb
      ? ""
      : cell(
          c,
          (x) => x.stress,
          (r) => `${fmt(r.cpuMsPerCommand)} ms`,
        ),
  );
  const big = (title: string, pick: (b: BigMailboxResult) => Timed) =>
    row(title, (c) =>
      c === ferretdb
        ? ""
        : cell(
            c,
            (x) => x.bigMailbox,
            (b) => {
              const t = pick(b);
              return `${fmt(t.medianMs)} ms (first ${fmt(t.firstMs)} ms; ${fmt(t.count)})`;
            },
          ),
    );
  big(`SELECT INBOX of ${fmt(s.bigMailbox)} messages (EXISTS)`, (b) => b.select);
  big(`↳ UID SEARCH TEXT "message 123:" (matches)`, (b) => b.searchRare);
  big(`↳ UID SEARCH TEXT "fox", in every message (matches)`, (b) => b.searchCommon);
  big(`↳ UID SORT (REVERSE DATE) UTF-8 ALL (UIDs)`, (b) => b.sort);
  const latency = (l: LatencySummary) => `${fmt(l.p50Ms)} / ${fmt(l.p99Ms)} ms`;
  const pushNote = (c: Column, n: NotifyResult) => {
    const note = [
      n.deliveries !== s.notifications ? `${fmt(n.deliveries)} deliveries` : "",
      !("skipped" in c) && c.crossProcess ? "IDLE on a second process" : "",
    ].filter(Boolean);
    return note.length ? ` (${note.join(", ")})` : "";
  };
  row(`IDLE push: end of LMTP DATA to \`* n EXISTS\`, p50 / p99 (${fmt(s.notifications)} deliveries)`, (c) =>
    cell(
      c,
      (x) => x.notify,
      (n) => `${latency(n.fromData)}${pushNote(c, n)}`,
    ),
  );
  row("↳ from the LMTP 250 instead (negative: the EXISTS came first)", (c) =>
    cell(
      c,
      (x) => x.notify,
      (n) => latency(n.fromReply),
    ),
  );
  row(`${fmt(s.idleSessions)} sessions logged in, INBOX selected, in IDLE: memory growth`, (c) =>
    c === ferretdb
      ? ""
      : cell(
          c,
          (x) => x.idle,
          (r) => {
            const [first, ...others] = Object.keys(r.idling);
            const growth = (k: string) => signed(r.idling[k] - r.before[k]);
            return `${growth(first)}${others.length ? ` (${first}; ${others.map((k) => `${k} ${growth(k)}`).join(", ")})` : ""}`;
          },
        ),
  );

  const header = [
    "measure",
    ...columns.map((c, i) => (i === 2 ? `${c.label} ¹` : c.label)),
    "Eider ÷ Dovecot",
  ];
  return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

function perCommand(r: StressResult): string {
  const names = ["LOGIN", "SELECT", "FETCH", "STORE", "SEARCH", "APPEND", "EXPUNGE", "LOGOUT"];
  return names.map((n) => (r.latency[n] ? fmt(r.latency[n].p50Ms) : "–")).join(" / ");
}

function cell<T extends object>(
  col: Column,
  pick: (c: ImapColumn) => Value<T>,
  show: (v: T) => string,
): string {
  if ("skipped" in col) return "skipped";
  const value = pick(col);
  if (!value) return col.failed ? failed(col.failed) : "not run";
  return "error" in value ? failed(value.error) : show(value as T);
}

/** An error as one short line (a child's start-up error runs over several). */
function failed(error: string): string {
  return `failed: ${error.replace(/\s+/g, " ").slice(0, 80)}`;
}

function ratioOf<T extends object>(
  v: ImapResult,
  pick: (c: ImapColumn) => Value<T>,
  number: (x: T) => number,
  what: string,
): string {
  const e = pick(v.embedded);
  const d = "skipped" in v.dovecot ? undefined : pick(v.dovecot);
  if (!e || !d || "error" in e || "error" in d) return "n/a";
  return `${(number(e as T) / number(d as T)).toFixed(2)}x ${what}`;
}

function stressRatio(v: ImapResult): string {
  const e = v.embedded.stress;
  const d = "skipped" in v.dovecot ? undefined : v.dovecot.stressHashed;
  if (!e || !d || "error" in e || "error" in d) return "";
  return `${(e.commandsPerSecond / d.commandsPerSecond).toFixed(2)}x the rate`;
}

function signed(mb: number): string {
  return `${mb >= 0 ? "+" : "−"}${fmt(Math.abs(mb))} MB`;
}

function fmt(n: number): string {
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US");
  return Math.abs(n) >= 1 || n === 0 ? String(Math.round(n * 10) / 10) : n.toPrecision(2);
}
