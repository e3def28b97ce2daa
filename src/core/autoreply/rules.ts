// RFC 3834's rules for an automatic reply, as pure functions of the setting, the message and the user's addresses:
// whether to answer, and from which of the user's addresses. The service adds what needs the store (Junk, the
// once-per-period record).
import { firstHeader, type HeaderField, type ParsedHeaders } from "../../mime/index.js";
import type { AutoreplyRecord } from "../../storage/ports.js";
import { normalizeAddress, wildcardFor } from "../addresses.js";

/** Why a message gets no reply; each is one of RFC 3834's cases (or vacation(1)'s heuristics for them). */
export type SkipReason =
  /** The null reverse-path (a bounce or another report): nobody to answer (RFC 3834 §2). */
  | "null-sender"
  /** MAILER-DAEMON, postmaster, list robots (owner-, -request, ...), no-reply addresses: no person reads it. */
  | "system-sender"
  /** The sender is the user itself. */
  | "own-address"
  /** `Auto-Submitted` other than "no": an automatic message, answering it risks a loop (RFC 3834 §2, §5). */
  | "auto-submitted"
  /** `Precedence: bulk | list | junk`. */
  | "bulk"
  /** A mailing list's header (RFC 2369, RFC 2919): the list, not the user, was the addressee. */
  | "mailing-list"
  /** Microsoft's `X-Auto-Response-Suppress: All | OOF`: the sender asked for no out-of-office replies. */
  | "suppressed"
  /** None of the user's addresses is in To or Cc (RFC 3834 §2: "addressed to the recipient"). */
  | "not-addressed";

export type ReplyDecision = { reply: true; from: string } | { reply: false; reason: SkipReason };

export interface UserAddress {
  /** As the admin typed it; a reply's From when the message was sent to it. */
  address: string;
  /** Its look-up form (`*@domain` for a wildcard). */
  normalized: string;
}

export interface ReplyInput {
  /** The envelope sender (Return-Path); "" for the null reverse-path. */
  mailFrom: string;
  headers: ParsedHeaders;
  headerFields: readonly HeaderField[];
  userAddresses: readonly UserAddress[];
}

/** Whether the setting answers mail arriving at `now`: enabled, and within its dates (start inclusive, end not). */
export function isActive(setting: AutoreplyRecord | null, now: Date): boolean {
  if (!setting?.enabled) return false;
  if (setting.startsAt && now < setting.startsAt) return false;
  return !(setting.endsAt && now >= setting.endsAt);
}

/** The RFC 3834 checks in the order that needs the least work first. */
export function decideReply(input: ReplyInput): ReplyDecision {
  const sender = input.mailFrom.trim();
  if (sender === "" || sender === "<>") return skip("null-sender");
  if (isSystemSender(sender)) return skip("system-sender");
  const own = new Set(input.userAddresses.map((a) => a.normalized));
  if (ownsAddress(own, sender)) return skip("own-address");
  const fields = input.headerFields;
  const autoSubmitted = firstHeader(fields, "auto-submitted");
  if (autoSubmitted !== null && headerToken(autoSubmitted) !== "no") return skip("auto-submitted");
  const precedence = firstHeader(fields, "precedence");
  if (precedence !== null && BULK_PRECEDENCE.has(headerToken(precedence))) return skip("bulk");
  if (fields.some((f) => LIST_HEADERS.has(f.name))) return skip("mailing-list");
  const suppress = firstHeader(fields, "x-auto-response-suppress");
  if (suppress !== null && /(^|[\s,])(all|oof)($|[\s,])/i.test(suppress)) return skip("suppressed");
  const from = addressedTo(input);
  return from === null ? skip("not-addressed") : { reply: true, from };
}

/** `Subject` of the reply: the setting's, else "Auto: " and the original's (RFC 3834 §3.1.5). */
export function replySubject(setting: Pick<AutoreplyRecord, "subject">, originalSubject: string): string {
  if (setting.subject) return setting.subject;
  return originalSubject ? `Auto: ${originalSubject}` : "Auto: (no subject)";
}

/** The key a sender's once-per-period record is kept under. */
export function senderKey(mailFrom: string): string {
  return mailFrom.trim().normalize("NFC").toLowerCase();
}

const BULK_PRECEDENCE = new Set(["bulk", "list", "junk"]);

/** RFC 2369 and RFC 2919 list fields. */
const LIST_HEADERS = new Set([
  "list-id",
  "list-help",
  "list-unsubscribe",
  "list-subscribe",
  "list-post",
  "list-owner",
  "list-archive",
]);

/** Local parts of addresses no person reads, whole (vacation(1)'s list, plus the usual no-reply forms). */
const SYSTEM_LOCAL_PARTS = new Set([
  "mailer-daemon",
  "mailer",
  "postmaster",
  "listserv",
  "majordomo",
  "noreply",
  "no-reply",
  "donotreply",
  "do-not-reply",
]);

function isSystemSender(sender: string): boolean {
  const at = sender.lastIndexOf("@");
  const local = (at > 0 ? sender.slice(0, at) : sender).toLowerCase();
  return (
    SYSTEM_LOCAL_PARTS.has(local) ||
    local.startsWith("owner-") ||
    local.endsWith("-owner") ||
    local.endsWith("-request") ||
    local.endsWith("-bounces")
  );
}

/** The first of To, Cc (and Bcc, when the sender's copy kept it) that is the user's: the address to reply from. */
function addressedTo(input: ReplyInput): string | null {
  const own = new Map(input.userAddresses.map((a) => [a.normalized, a.address]));
  for (const a of [...input.headers.to, ...input.headers.cc, ...input.headers.bcc]) {
    const key = lookupKey(a.address);
    if (key === null) continue;
    const exact = own.get(key.normalized);
    if (exact !== undefined) return exact;
    // Sent to an address a wildcard catches: that address is the user's, so the reply comes from it.
    if (own.has(key.wildcard)) return a.address.trim();
  }
  return null;
}

function ownsAddress(own: ReadonlySet<string>, address: string): boolean {
  const key = lookupKey(address);
  return key !== null && (own.has(key.normalized) || own.has(key.wildcard));
}

function lookupKey(address: string): { normalized: string; wildcard: string } | null {
  try {
    return { normalized: normalizeAddress(address), wildcard: wildcardFor(address) };
  } catch {
    return null; // not local@domain: no address of ours
  }
}

/** A structured field's first token, lower-case: `auto-replied; owner-email=...` -> `auto-replied`. */
function headerToken(value: string): string {
  return value
    .replace(/\([^)]*\)/g, "")
    .split(";")[0]
    .trim()
    .toLowerCase();
}

function skip(reason: SkipReason): ReplyDecision {
  return { reply: false, reason };
}
