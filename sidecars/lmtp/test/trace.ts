// The check every LMTP delivery test makes on a stored copy: the three trace lines the server adds, exactly,
// then the DATA bytes as the client sent them.
import { expect } from "vitest";

/** The stored copy must be exactly: Return-Path, Delivered-To, Received (3 lines), then the DATA bytes. */
export function expectTraceThenData(
  stored: Buffer,
  data: Buffer,
  mailFrom: string,
  rcpt: string,
  port: number,
  protocol = "LMTP",
): void {
  const text = stored.toString("utf8");
  const prefix = new RegExp(
    `^Return-Path: <${esc(mailFrom)}>\\r\\n` +
      `Delivered-To: ${esc(rcpt)}\\r\\n` +
      `Received: from mx\\.client\\.test \\((?:\\S+ )?\\[127\\.0\\.0\\.1\\]\\)\\r\\n` +
      `\\tby \\S+ with ${protocol} id \\S+\\r\\n` +
      `\\tfor <${esc(rcpt)}>; \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000\\r\\n`,
  );
  const m = prefix.exec(text);
  expect(m, `stored copy starts with the trace lines (port ${port}):\n${text.slice(0, 400)}`).not.toBeNull();
  expect(stored.subarray(Buffer.byteLength(m![0])).equals(data)).toBe(true);
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
