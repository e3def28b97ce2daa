// FETCH / UID FETCH arguments (RFC 3501 §6.4.5 and §9 `fetch`, RFC 7162 §3.1.4 and §3.2.6 modifiers):
// a sequence set, one item or a list of items, then optional modifiers.
import { BadArguments, atomIs, listOf, numberOf, type ImapArg, type ImapAtom } from "../request.js";
import { parseSequenceSet, type SetRange } from "../sequence-set.js";

/** What a BODY[...] section names (RFC 3501 `section-spec`). */
export interface FetchSection {
  /** Part numbers, [] for the message itself: BODY[2.1.MIME] is [2, 1]. */
  part: number[];
  text: "" | "HEADER" | "TEXT" | "MIME" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT";
  /** HEADER.FIELDS (.NOT) field names, as sent. */
  fields: string[];
}

/** An item answered with message bytes: BODY[...], BODY.PEEK[...], RFC822, RFC822.HEADER, RFC822.TEXT. */
export interface FetchBodyItem {
  kind: "body-section";
  section: FetchSection;
  /** `<offset.length>` as asked. */
  partial: { offset: number; length: number } | null;
  /** BODY[...], RFC822 and RFC822.TEXT set \Seen; BODY.PEEK[...] and RFC822.HEADER do not. */
  setsSeen: boolean;
  /** The name the response gives the data: `BODY[HEADER.FIELDS (FROM)]<0>`, `RFC822.TEXT`. */
  responseName: string;
}

export type FetchItem =
  | {
      kind:
        "FLAGS" | "INTERNALDATE" | "RFC822.SIZE" | "ENVELOPE" | "BODY" | "BODYSTRUCTURE" | "UID" | "MODSEQ";
    }
  | FetchBodyItem;

export interface FetchArgs {
  set: SetRange[];
  /** In the order asked, without repeats. */
  items: FetchItem[];
  /** RFC 7162 CHANGEDSINCE: only messages whose modseq is higher. */
  changedSince: number | null;
  /** RFC 7162 §3.2.6 VANISHED: also say which UIDs of the set were expunged since `changedSince`. */
  vanished: boolean;
}

export interface FetchParseOptions {
  /** UID FETCH: VANISHED is allowed (RFC 7162 §3.2.6). */
  byUid: boolean;
  /** QRESYNC is enabled: VANISHED is allowed. */
  qresync: boolean;
}

/** RFC 7162 mod-sequence-value: up to 2^63 - 1; kept to what a JS number holds exactly. */
const MAX_MODSEQ = Number.MAX_SAFE_INTEGER;

const SIMPLE_ITEMS = [
  "FLAGS",
  "INTERNALDATE",
  "RFC822.SIZE",
  "ENVELOPE",
  "BODY",
  "BODYSTRUCTURE",
  "UID",
  "MODSEQ",
] as const;

const MACROS: Record<string, readonly FetchItem["kind"][]> = {
  ALL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
  FAST: ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
  FULL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
};

export function parseFetch(args: ImapArg[], options: FetchParseOptions): FetchArgs {
  if (args.length < 2) throw new BadArguments("FETCH takes a sequence set and the items to fetch.");
  if (args.length > 3)
    throw new BadArguments("FETCH takes a sequence set, items and at most one list of modifiers.");
  const setArg = args[0];
  if (setArg.type !== "atom" || setArg.section !== undefined)
    throw new BadArguments("FETCH needs a sequence set first.");
  const set = parseSequenceSet(setArg.value);
  const items = parseItems(args[1]);
  const modifiers = args[2] === undefined ? null : parseModifiers(args[2], options);
  return {
    set,
    items,
    changedSince: modifiers?.changedSince ?? null,
    vanished: modifiers?.vanished ?? false,
  };
}

function parseItems(arg: ImapArg): FetchItem[] {
  if (arg.type === "atom" && arg.section === undefined) {
    const macro = MACROS[arg.value.toUpperCase()];
    if (macro) return macro.map((kind) => ({ kind }) as FetchItem);
  }
  const list = arg.type === "list" ? arg.items : [arg];
  if (list.length === 0) throw new BadArguments("FETCH needs at least one item in its list.");
  // One answer per name: BODY[] and BODY.PEEK[] together are one BODY[], which sets \Seen.
  const items = new Map<string, FetchItem>();
  for (const one of list) {
    const item = parseItem(one);
    const key = item.kind === "body-section" ? item.responseName : item.kind;
    const earlier = items.get(key);
    if (earlier?.kind === "body-section" && item.kind === "body-section") earlier.setsSeen ||= item.setsSeen;
    else if (!earlier) items.set(key, item);
  }
  return [...items.values()];
}

function parseItem(arg: ImapArg): FetchItem {
  if (arg.type !== "atom") throw new BadArguments(`Unknown FETCH item ${describe(arg)}.`);
  const name = arg.value.toUpperCase();
  if (arg.section === undefined) {
    if (arg.partial) throw new BadArguments(`Unknown FETCH item "${arg.value}".`);
    const simple = SIMPLE_ITEMS.find((s) => s === name);
    if (simple) return { kind: simple };
    if (name === "RFC822") return rfc822Item("", true, "RFC822");
    if (name === "RFC822.HEADER") return rfc822Item("HEADER", false, "RFC822.HEADER");
    if (name === "RFC822.TEXT") return rfc822Item("TEXT", true, "RFC822.TEXT");
    if (MACROS[name])
      throw new BadArguments(`The macro ${arg.value} must be the only FETCH item, not in a list.`);
    throw new BadArguments(`Unknown FETCH item "${arg.value}".`);
  }
  if (name !== "BODY" && name !== "BODY.PEEK")
    throw new BadArguments(`Unknown FETCH item "${arg.value}[...]": only BODY and BODY.PEEK take a section.`);
  const section = parseSection(arg);
  const partial = parsePartial(arg);
  return {
    kind: "body-section",
    section,
    partial,
    setsSeen: name === "BODY",
    responseName: `BODY[${sectionText(section)}]${partial ? `<${partial.offset}>` : ""}`,
  };
}

function rfc822Item(text: "" | "HEADER" | "TEXT", setsSeen: boolean, responseName: string): FetchBodyItem {
  return {
    kind: "body-section",
    section: { part: [], text, fields: [] },
    partial: null,
    setsSeen,
    responseName,
  };
}

const SECTION_TEXTS = ["HEADER.FIELDS.NOT", "HEADER.FIELDS", "HEADER", "TEXT", "MIME"] as const;

/** RFC 3501 `section-spec`: section-msgtext / (section-part ["." section-text]). */
function parseSection(arg: ImapAtom): FetchSection {
  const tokens = arg.section ?? [];
  if (tokens.length === 0) return { part: [], text: "", fields: [] };
  const head = tokens[0];
  if (head.type !== "atom" || head.section !== undefined || head.partial)
    throw new BadArguments(`Bad section in "${arg.value}[...]": ${describe(head)} is not a section name.`);
  const spec = head.value.toUpperCase();
  const part: number[] = [];
  let rest = spec;
  for (;;) {
    const match = /^([1-9]\d{0,9})(\.|$)/.exec(rest);
    if (!match) break;
    const n = Number(match[1]);
    if (n > 2 ** 32 - 1) throw new BadArguments(`Section part ${match[1]} is larger than ${2 ** 32 - 1}.`);
    part.push(n);
    rest = rest.slice(match[0].length);
    if (match[2] === "") break;
  }
  const text = rest === "" ? "" : SECTION_TEXTS.find((t) => t === rest);
  const bad = () => new BadArguments(`Bad section "${head.value}" in "${arg.value}[${head.value}...]".`);
  if (text === undefined) throw bad();
  if (text === "MIME" && part.length === 0) throw bad(); // MIME only follows a part number
  if (spec.endsWith(".")) throw bad();
  if (text === "HEADER.FIELDS" || text === "HEADER.FIELDS.NOT") {
    if (tokens.length !== 2)
      throw new BadArguments(
        `Section ${text} needs one list of header field names, as in ${text} (From To).`,
      );
    const names = listOf(tokens[1], `the field names of ${text}`);
    if (names.length === 0) throw new BadArguments(`Section ${text} needs at least one header field name.`);
    return { part, text, fields: names.map(fieldName) };
  }
  if (tokens.length !== 1) throw new BadArguments(`Section "${head.value}" takes no further arguments.`);
  return { part, text, fields: [] };
}

/** RFC 3501 header-fld-name = astring; a field name is printable ASCII without ":" (RFC 5322 §2.2). */
function fieldName(arg: ImapArg): string {
  const text =
    arg.type === "string"
      ? arg.value.toString("latin1")
      : arg.type === "atom" && !arg.section
        ? arg.value
        : null;
  if (text === null || !/^[\x21-\x39\x3b-\x7e]+$/.test(text))
    throw new BadArguments(`Bad header field name ${describe(arg)}.`);
  return text;
}

/** `<offset.length>`: RFC 3501 allows only both numbers in a command, and a non-zero length. */
function parsePartial(arg: ImapAtom): { offset: number; length: number } | null {
  if (!arg.partial) return null;
  const { offset, length } = arg.partial;
  if (length === null)
    throw new BadArguments(`Partial <${offset}> needs a length too, as in <${offset}.1024>.`);
  if (length === 0) throw new BadArguments(`Partial <${offset}.0> needs a length of 1 or more.`);
  if (offset > 2 ** 32 - 1 || length > 2 ** 32 - 1)
    throw new BadArguments(`Partial <${offset}.${length}> has a number larger than ${2 ** 32 - 1}.`);
  return { offset, length };
}

/** The section as a response names it: field names upper-cased, as Dovecot writes them. */
export function sectionText(section: FetchSection): string {
  const prefix = section.part.join(".");
  const text = prefix && section.text ? `${prefix}.${section.text}` : prefix || section.text;
  if (section.text !== "HEADER.FIELDS" && section.text !== "HEADER.FIELDS.NOT") return text;
  return `${text} (${section.fields.map(fieldNameText).join(" ")})`;
}

/** A field name as an atom when it may be one (RFC 3501 ATOM-CHAR), else quoted. */
function fieldNameText(name: string): string {
  const upper = name.toUpperCase();
  return /^[^(){ %*"\\\]]+$/.test(upper) ? upper : `"${upper.replace(/["\\]/g, "\\$&")}"`;
}

function parseModifiers(
  arg: ImapArg,
  options: FetchParseOptions,
): { changedSince: number | null; vanished: boolean } {
  const items = listOf(arg, "FETCH modifiers");
  if (items.length === 0) throw new BadArguments("The FETCH modifier list is empty.");
  let changedSince: number | null = null;
  let vanished = false;
  for (let i = 0; i < items.length; i++) {
    if (atomIs(items[i], "CHANGEDSINCE")) {
      if (changedSince !== null) throw new BadArguments("CHANGEDSINCE is given twice.");
      changedSince = numberOf(items[++i], "the CHANGEDSINCE mod-sequence", MAX_MODSEQ);
    } else if (atomIs(items[i], "VANISHED")) {
      if (!options.byUid) throw new BadArguments("VANISHED is allowed in UID FETCH only (RFC 7162 §3.2.6).");
      if (!options.qresync) throw new BadArguments("VANISHED needs QRESYNC enabled first (ENABLE QRESYNC).");
      vanished = true;
    } else throw new BadArguments(`Unknown FETCH modifier ${describe(items[i])}.`);
  }
  if (vanished && changedSince === null)
    throw new BadArguments("VANISHED needs CHANGEDSINCE beside it (RFC 7162 §3.2.6).");
  return { changedSince, vanished };
}

/** An argument quoted for an error message. */
function describe(arg: ImapArg | undefined): string {
  if (arg === undefined) return "(nothing)";
  if (arg.type === "atom") return `"${arg.value}${arg.section ? "[...]" : ""}"`;
  if (arg.type === "list") return "a parenthesised list";
  return `"${arg.value.toString("latin1").slice(0, 40)}"`;
}
