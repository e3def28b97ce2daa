// The CAPABILITY list (RFC 3501 §7.2.1) as of a session's state: what is offered before login depends on TLS
// and on whether passwords may be sent; extensions are listed only once they work. A part that makes an
// extension work adds its name to the list where it belongs, in the commit that makes it work.

/** Offered in every state. */
const ALWAYS = ["IMAP4rev1", "LITERAL+", "SASL-IR", "ID", "ENABLE"];

/** Offered once logged in (with COMPRESS=DEFLATE until it is active). */
const AUTHENTICATED: string[] = [
  "IDLE",
  "UNSELECT",
  "UIDPLUS",
  "MOVE",
  "CONDSTORE",
  "QRESYNC",
  "NAMESPACE",
  "CHILDREN",
  "LIST-EXTENDED",
  "LIST-STATUS",
  "SPECIAL-USE",
  "CREATE-SPECIAL-USE",
  "STATUS=SIZE",
  "QUOTA",
  "QUOTA=RES-STORAGE",
  "ESEARCH",
  "WITHIN",
  "SORT",
  "THREAD=REFERENCES",
  "THREAD=ORDEREDSUBJECT",
  "UTF8=ACCEPT",
];

export interface CapabilityState {
  authenticated: boolean;
  /** Over TLS now. */
  secure: boolean;
  /** STARTTLS can be offered (certificates are loaded). */
  tlsAvailable: boolean;
  /** Passwords may be sent now (TLS, loopback or a trusted network). */
  plaintextAllowed: boolean;
  /** COMPRESS=DEFLATE is on. */
  compressed: boolean;
  /** APPENDLIMIT (RFC 7889). */
  maxAppendBytes: number;
}

export function capabilityList(s: CapabilityState): string[] {
  const list = [...ALWAYS];
  if (!s.authenticated) {
    if (!s.secure && s.tlsAvailable) list.push("STARTTLS");
    // RFC 3501 §6.2.3: LOGINDISABLED where LOGIN is refused; no mechanism is offered that would be refused too.
    if (s.plaintextAllowed) list.push("AUTH=PLAIN");
    else list.push("LOGINDISABLED");
  } else {
    list.push(...AUTHENTICATED);
    if (!s.compressed) list.push("COMPRESS=DEFLATE");
  }
  list.push(`APPENDLIMIT=${s.maxAppendBytes}`);
  return list;
}
