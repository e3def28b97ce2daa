// Drives Python's smtplib (the client library behind many scripts and, in its command order, what Thunderbird
// does: EHLO, STARTTLS, EHLO, AUTH, MAIL, RCPT, DATA) from a test. The script gets the server's address in `host`,
// `port`, `tls_port` and `cafile`, helpers to read a refusal, and prints one JSON value, which is returned.
import { runPython } from "../../../test/harness/python.js";

export interface SmtplibTarget {
  host: string;
  port: number;
  tlsPort: number | null;
  cafile: string;
}

const PRELUDE = `
import json, smtplib, ssl, sys
host, port, tls_port, cafile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
context = ssl.create_default_context(cafile=cafile)
def reply(code, text): return f"{code} {text.decode() if isinstance(text, bytes) else text}"
def refused(f):
    try:
        f()
        return None
    except smtplib.SMTPResponseException as e:
        return reply(e.smtp_code, e.smtp_error)
def connected():
    s = smtplib.SMTP(host, port, local_hostname="client.example.test")
    s.ehlo()
    s.starttls(context=context)
    s.ehlo()
    return s
`;

export function smtplib<T>(target: SmtplibTarget, script: string): Promise<T> {
  const argv = [target.host, String(target.port), String(target.tlsPort ?? 0), target.cafile];
  return runPython<T>(PRELUDE, script, argv, "smtplib");
}
