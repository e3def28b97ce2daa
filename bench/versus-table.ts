// The Markdown table of the LMTP/POP3 side-by-side with Dovecot (bench/README.md and README.md carry it).
import type { LmtpRun } from "./lmtp.js";
import type { ServerColumn, VersusDovecotResult } from "./versus-dovecot.js";
import { CONNECTIONS } from "./versus-dovecot.js";

type Column = VersusDovecotResult["dovecot"];

export function versusTable(v: VersusDovecotResult): string {
  const columns: Column[] = [v.embedded, v.dovecot, ...(v.ferretdb ? [v.ferretdb] : [])];
  const rows: string[][] = [];
  for (const c of CONNECTIONS) {
    const rate = (col: Column) =>
      runsOf(col, c, (runs) => {
        const each = runs.map((r) => r.messagesPerSecond);
        return `${fmt(median(each))} msg/s${runs.length > 1 ? ` (${each.map(fmt).join(", ")})` : ""}`;
      });
    const ratio = () => {
      const e = lmtpRuns(v.embedded, c);
      const d = lmtpRuns(v.dovecot, c);
      if (!e || !d || e.length === 0 || d.length === 0) return "n/a";
      const pairs = e.map((r, i) => (d[i] ? r.messagesPerSecond / d[i].messagesPerSecond : NaN));
      const whole = median(e.map((r) => r.messagesPerSecond)) / median(d.map((r) => r.messagesPerSecond));
      return `${whole.toFixed(2)}x${pairs.length > 1 ? ` (${pairs.map((p) => p.toFixed(2)).join(", ")})` : ""}`;
    };
    rows.push([
      `LMTP delivery, ${c} connection${c > 1 ? "s" : ""}, durable 250`,
      ...columns.map((col, i) => (i === 2 ? `${rate(col)}${countNote(col, v.messages)}` : rate(col))),
      ratio(),
    ]);
    rows.push([
      "↳ per message, p50 / p99",
      ...columns.map((col) =>
        runsOf(
          col,
          c,
          (runs) =>
            `${fmt(median(runs.map((r) => r.latency.p50Ms)))} / ${fmt(median(runs.map((r) => r.latency.p99Ms)))} ms`,
        ),
      ),
      "",
    ]);
    rows.push([
      "↳ server CPU per message (all its processes)",
      ...columns.map((col) =>
        runsOf(col, c, (runs) => `${fmt(median(runs.map((r) => r.cpuMsPerMessage)))} ms`),
      ),
      cpuRatio(v, c),
    ]);
  }
  const retr = (col: Column) =>
    cell(
      col,
      (s) => s.retrieve,
      (r) => `${fmt(r.seconds)} s (${fmt(r.messages)} msgs, ${fmt(r.megabytes)} MB)`,
    );
  rows.push(["POP3 RETR of the whole maildrop, one session", ...columns.map(retr), secondsRatio(v)]);
  const growth = (key: "connectedMB" | "loggedInMB") => (col: Column) =>
    cell(
      col,
      (s) => s.idle,
      // Negative when the heap gave back more than the sessions took (RSS is read after a quiet spell).
      (r) => `${r[key] >= r.beforeMB ? "+" : "−"}${fmt(Math.abs(r[key] - r.beforeMB))} MB`,
    );
  const sessions =
    "idle" in v.embedded && v.embedded.idle && !("error" in v.embedded.idle) ? v.embedded.idle.sessions : 0;
  rows.push([
    `${fmt(sessions)} idle POP3 sessions, just connected: memory growth`,
    ...columns.map(growth("connectedMB")),
    "",
  ]);
  rows.push([`↳ the same sessions logged in`, ...columns.map(growth("loggedInMB")), ""]);

  const header = [
    "measure",
    ...columns.map((c, i) => (i === 2 ? `${c.label} ¹` : c.label)),
    "Eider ÷ Dovecot",
  ];
  return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

function lmtpRuns(col: Column, connections: number): LmtpRun[] | null {
  if ("skipped" in col || "error" in col.lmtp) return null;
  return col.lmtp.filter((r) => r.connections === connections);
}

function runsOf(col: Column, connections: number, show: (runs: LmtpRun[]) => string): string {
  if ("skipped" in col) return "skipped";
  if ("error" in col.lmtp) return `failed: ${col.lmtp.error.slice(0, 60)}`;
  const runs = lmtpRuns(col, connections)!;
  return runs.length === 0 ? "not run" : show(runs);
}

function cell<T extends object>(
  col: Column,
  pick: (s: ServerColumn) => T | { error: string } | undefined,
  show: (value: T) => string,
): string {
  if ("skipped" in col) return "skipped";
  const value = pick(col);
  if (!value) return "not run";
  return "error" in value ? `failed: ${value.error.slice(0, 60)}` : show(value as T);
}

function countNote(col: Column, messages: number): string {
  if ("skipped" in col || "error" in col.lmtp || col.lmtp.length === 0) return "";
  return col.lmtp[0].messages === messages ? "" : ` (${fmt(col.lmtp[0].messages)} msgs)`;
}

function cpuRatio(v: VersusDovecotResult, connections: number): string {
  const e = lmtpRuns(v.embedded, connections);
  const d = lmtpRuns(v.dovecot, connections);
  if (!e?.length || !d?.length) return "";
  const ratio = median(e.map((r) => r.cpuMsPerMessage)) / median(d.map((r) => r.cpuMsPerMessage));
  return `${ratio.toFixed(2)}x the CPU`;
}

function secondsRatio(v: VersusDovecotResult): string {
  const e = v.embedded.retrieve;
  const d = "skipped" in v.dovecot ? undefined : v.dovecot.retrieve;
  if (!e || !d || "error" in e || "error" in d) return "n/a";
  return `${(e.seconds / d.seconds).toFixed(2)}x the time`;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function fmt(n: number): string {
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US");
  return Math.abs(n) >= 1 || n === 0 ? String(Math.round(n * 10) / 10) : n.toPrecision(2);
}
