// Drives Python's imaplib (a real IMAP client) from a test: the script gets the server's address in `host`,
// `port`, `cafile`, and prints one JSON value, which is returned. `s(x)` turns imaplib's bytes (and lists
// and tuples of them) into text for JSON; `err(f)` runs f and returns the server's complaint, or None.
import { runPython } from "../../../test/harness/python.js";

export interface ImaplibTarget {
  host: string;
  port: number;
  cafile?: string;
}

const PRELUDE = `
import imaplib, json, ssl, sys, time
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def s(x):
    if isinstance(x, bytes): return x.decode("latin1")
    if isinstance(x, (list, tuple)): return [s(i) for i in x]
    return x
def err(f):
    try:
        f()
        return None
    except imaplib.IMAP4.error as e:
        return str(e)
`;

export function imaplib<T>(target: ImaplibTarget, script: string): Promise<T> {
  return runPython<T>(PRELUDE, script, [target.host, String(target.port), target.cafile ?? ""], "imaplib");
}
