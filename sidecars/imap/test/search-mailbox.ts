// A small known mailbox for SEARCH, SORT and THREAD tests (the handlers' on a core, and over a socket), and what
// each search key finds in it. Sequence numbers 1-5 hold UIDs 2-6: UID 1 is expunged before the mailbox is selected.

export function searchMessage(headers: Record<string, string>, body: string): Buffer {
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  return Buffer.from(`${head}\r\n${body}\r\n`);
}

export const SEARCH_MAILBOX: Array<{ raw: Buffer; flags: string[]; internalDate: string }> = [
  {
    raw: searchMessage(
      {
        From: "Alice <alice@example.com>",
        To: "bob@example.org",
        Cc: "carol@example.net",
        Subject: "Quarterly report",
        Date: "Mon, 1 Jan 2024 09:00:00 +0000",
        "Message-ID": "<q1@x>",
      },
      "Numbers are up.",
    ),
    flags: ["\\Seen", "\\Answered"],
    internalDate: "2024-01-01T10:00:00Z",
  },
  {
    raw: searchMessage(
      {
        From: "Bob <bob@example.org>",
        To: "alice@example.com",
        Subject: "Re: Quarterly report",
        // The day as written is Jan 2; in UTC it is Jan 3.
        Date: "Tue, 2 Jan 2024 23:00:00 -0800",
        "Message-ID": "<q2@x>",
        "In-Reply-To": "<q1@x>",
        References: "<q1@x>",
      },
      `See the attached numbers.\r\n${"x".repeat(3000)}`,
    ),
    flags: ["\\Flagged", "$Work"],
    internalDate: "2024-01-03T08:00:00Z",
  },
  {
    raw: searchMessage(
      {
        From: "carol@example.net",
        To: "bob@example.org",
        Bcc: "dave@example.org",
        Subject: "=?utf-8?q?D=C3=A9jeuner?=",
        "X-Mailer": "Pine 4.64",
        Date: "Fri, 5 Jan 2024 12:00:00 +0100",
        "Message-ID": "<l1@x>",
      },
      "Pizza?",
    ),
    flags: ["\\Draft", "\\Deleted"],
    internalDate: "2024-01-05T12:00:00Z",
  },
  {
    raw: searchMessage(
      {
        From: "dave@example.org",
        To: "carol@example.net",
        Subject: "Re: Déjeuner",
        Date: "Sat, 6 Jan 2024 08:00:00 +0000",
        "Message-ID": "<l2@x>",
        References: "<l1@x>",
      },
      "ok",
    ),
    flags: [],
    internalDate: "2024-01-06T09:00:00Z",
  },
  {
    raw: searchMessage(
      { From: "Eve <eve@example.com>", Subject: "Déjeuner", Date: "Sun, 7 Jan 2024 08:00:00 +0000" },
      "late reply without references",
    ),
    flags: ["\\Seen"],
    internalDate: new Date(Date.now() - 60_000).toISOString(), // a minute ago: YOUNGER / OLDER
  },
];

/** A search program and the sequence numbers it finds. */
export const SEARCH_CASES: Array<[string, string]> = [
  ["ALL", "1 2 3 4 5"],
  ["ANSWERED", "1"],
  ["UNANSWERED", "2 3 4 5"],
  ["DELETED", "3"],
  ["UNDELETED", "1 2 4 5"],
  ["DRAFT", "3"],
  ["UNDRAFT", "1 2 4 5"],
  ["FLAGGED", "2"],
  ["UNFLAGGED", "1 3 4 5"],
  ["SEEN", "1 5"],
  ["UNSEEN", "2 3 4"],
  ["KEYWORD $Work", "2"],
  ["UNKEYWORD $Work", "1 3 4 5"],
  ["RECENT", ""],
  ["NEW", ""],
  ["OLD", "1 2 3 4 5"],
  ["FROM alice", "1"],
  ['FROM "BOB <bob@"', "2"],
  ["TO bob@example.org", "1 3"],
  ["CC carol", "1"],
  ["BCC dave", "3"],
  ["SUBJECT quarterly", "1 2"],
  ["SUBJECT déjeuner", "3 4 5"],
  ["SUBJECT DÉJEUNER", "3 4 5"],
  ["HEADER X-Mailer pine", "3"],
  ['HEADER x-mailer ""', "3"],
  ["HEADER In-Reply-To <q1@x>", "2"],
  ["BODY numbers", "1 2"],
  ["BODY alice", ""],
  ["TEXT alice", "1 2"],
  ["TEXT pizza", "3"],
  ["BEFORE 3-Jan-2024", "1"],
  ["ON 3-Jan-2024", "2"],
  ["SINCE 5-Jan-2024", "3 4 5"],
  ["SENTBEFORE 2-Jan-2024", "1"],
  ["SENTON 2-Jan-2024", "2"],
  ["SENTON 3-Jan-2024", ""],
  ["SENTSINCE 6-Jan-2024", "4 5"],
  ["LARGER 1000", "2"],
  ["SMALLER 1000", "1 3 4 5"],
  ["OLDER 3600", "1 2 3 4"],
  ["YOUNGER 3600", "5"],
  ["UID 3:4", "2 3"],
  ["UID 5:*", "4 5"],
  ["2:3", "2 3"],
  ["4:*", "4 5"],
  ["1:99", "1 2 3 4 5"],
  ["NOT SEEN", "2 3 4"],
  ["OR SEEN FLAGGED", "1 2 5"],
  ["OR OR SEEN FLAGGED DRAFT", "1 2 3 5"],
  ["(SEEN FROM alice)", "1"],
  ["NOT (OR 1 2) UNDELETED", "4 5"],
  ["OR 1 DRAFT", "1 3"],
  ["SUBJECT report NOT UID 3", "1"],
  ["CHARSET UTF-8 SUBJECT déjeuner", "3 4 5"],
  ['CHARSET US-ASCII TEXT "up."', "1"],
];

/** A SORT program and the sequence numbers in its order. */
export const SORT_CASES: Array<[string, string]> = [
  ["(ARRIVAL) UTF-8 ALL", "1 2 3 4 5"],
  ["(REVERSE ARRIVAL) UTF-8 ALL", "5 4 3 2 1"],
  ["(DATE) UTF-8 ALL", "1 2 3 4 5"],
  ["(REVERSE DATE) UTF-8 UNDELETED", "5 4 2 1"],
  ["(SIZE) UTF-8 ALL", "5 4 1 3 2"],
  ["(REVERSE SIZE) UTF-8 SMALLER 1000", "3 1 4 5"],
  // Base subjects: "déjeuner" (3, 4, 5), "quarterly report" (1, 2); equal ones by sequence number.
  ["(SUBJECT) UTF-8 ALL", "3 4 5 1 2"],
  ["(SUBJECT REVERSE DATE) UTF-8 ALL", "5 4 3 2 1"],
  // First From's mailbox: alice, bob, carol, dave, eve.
  ["(FROM) UTF-8 ALL", "1 2 3 4 5"],
  ["(REVERSE FROM) UTF-8 ALL", "5 4 3 2 1"],
  // First To's mailbox: bob (1, 3), alice (2), carol (4), none (5) first.
  ["(TO) UTF-8 ALL", "5 2 1 3 4"],
  ["(CC DATE) UTF-8 ALL", "2 3 4 5 1"],
];
