// Address lists (RFC 5322 §3.4): mailboxes, angle addresses, groups, comments, and the usual breakage.
import { decodeWords } from "./charset.js";

/** What the API shows: decoded display name and addr-spec. `address` is "" for a group without members or a bare name. */
export interface MailAddress {
  name: string;
  address: string;
}

/** A mailbox as written: the phrase with quotes removed but encoded words kept, the source route, the addr-spec. */
export interface RawAddress {
  kind: "address";
  name: string;
  route: string | null;
  address: string;
}

export interface RawGroup {
  kind: "group";
  name: string;
  members: RawAddress[];
}

export type AddressListEntry = RawAddress | RawGroup;

type TokenType = "word" | "quoted" | "comment" | "angle" | "comma" | "colon" | "semicolon";
interface Token {
  type: TokenType;
  value: string;
  /** Whitespace came before this token. */
  spaced: boolean;
}

const SPECIALS = new Set([32, 9, 13, 10, 34, 40, 60, 44, 58, 59]); // SP HT CR LF " ( < , : ;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let spaced = false;
  const length = input.length;
  while (pos < length) {
    const ch = input.charCodeAt(pos);
    if (ch === 32 || ch === 9 || ch === 13 || ch === 10) {
      spaced = true;
      pos++;
      continue;
    }
    let type: TokenType;
    let value = "";
    if (ch === 34 /* " */) {
      type = "quoted";
      let from = ++pos;
      for (; pos < length && input.charCodeAt(pos) !== 34; pos++) {
        if (input.charCodeAt(pos) === 92 /* \ */ && pos + 1 < length) {
          value += input.slice(from, pos);
          from = ++pos;
        }
      }
      value += input.slice(from, pos);
      pos++;
    } else if (ch === 40 /* ( */) {
      type = "comment";
      let depth = 1;
      for (pos++; pos < length; pos++) {
        const c = input[pos];
        if (c === "\\" && pos + 1 < length) {
          value += input[++pos];
          continue;
        }
        if (c === "(") depth++;
        else if (c === ")" && --depth === 0) break;
        value += c;
      }
      pos++;
    } else if (ch === 60 /* < */) {
      type = "angle";
      const from = ++pos;
      let quoted = false;
      for (; pos < length && (quoted || input.charCodeAt(pos) !== 62); pos++)
        if (input.charCodeAt(pos) === 34) quoted = !quoted;
      value = input.slice(from, pos);
      pos++;
    } else if (ch === 44 || ch === 58 || ch === 59) {
      type = ch === 44 ? "comma" : ch === 58 ? "colon" : "semicolon";
      value = input[pos++];
    } else {
      type = "word";
      const from = pos;
      while (pos < length && !SPECIALS.has(input.charCodeAt(pos))) pos++;
      value = input.slice(from, pos);
    }
    tokens.push({ type, value, spaced });
    spaced = false;
  }
  return tokens;
}

/** Parses an address-list header value. Never throws; what cannot be read as an address becomes a name. */
export function parseAddressList(value: string): AddressListEntry[] {
  const entries: AddressListEntry[] = [];
  let group: RawGroup | null = null;
  let current: Token[] = [];
  const flush = (): void => {
    const address = buildAddress(current);
    current = [];
    if (!address) return;
    if (group) group.members.push(address);
    else entries.push(address);
  };
  for (const token of tokenize(value)) {
    if (token.type === "comma") {
      flush();
    } else if (token.type === "colon" && !group && !current.some((t) => t.type === "angle")) {
      group = { kind: "group", name: joinPhrase(current), members: [] };
      current = [];
    } else if (token.type === "semicolon") {
      flush();
      if (group) entries.push(group);
      group = null;
    } else if (token.type === "colon") {
      current.push({ ...token, type: "word" });
    } else {
      current.push(token);
    }
  }
  flush();
  if (group) entries.push(group);
  return entries;
}

function joinPhrase(tokens: readonly Token[]): string {
  let out = "";
  for (const token of tokens) {
    if (token.type !== "word" && token.type !== "quoted") continue;
    out += out && token.spaced ? " " + token.value : token.value;
  }
  return out.trim();
}

function joinComments(tokens: readonly Token[]): string {
  return tokens
    .filter((t) => t.type === "comment")
    .map((t) => t.value.trim())
    .filter(Boolean)
    .join(" ");
}

function buildAddress(tokens: Token[]): RawAddress | null {
  if (tokens.length === 0) return null;
  const angleAt = tokens.findIndex((t) => t.type === "angle");
  if (angleAt >= 0) {
    let spec = tokens[angleAt].value.trim();
    let route: string | null = null;
    const colon = spec.indexOf(":");
    if (spec.startsWith("@") && colon > 0) {
      route = spec.slice(0, colon);
      spec = spec.slice(colon + 1).trim();
    }
    const name = joinPhrase(tokens.slice(0, angleAt)) || joinComments(tokens);
    return { kind: "address", name, route, address: spec };
  }
  // No angle brackets: an addr-spec with an optional comment, e.g. `jo@example.com (Jo)`.
  const words = tokens.filter((t) => t.type !== "comment");
  let specAt = -1;
  for (let i = words.length - 1; i >= 0; i--) {
    if (words[i].type === "word" && words[i].value.includes("@")) {
      specAt = i;
      break;
    }
  }
  if (specAt >= 0) {
    let spec = words[specAt].value;
    let nameWords = words.filter((_, i) => i !== specAt);
    const before = words[specAt - 1];
    // `"jo smith"@example.com`: a quoted local part glued to its domain.
    if (spec.startsWith("@") && before?.type === "quoted" && !words[specAt].spaced) {
      spec = `"${before.value}"${spec}`;
      nameWords = words.filter((_, i) => i !== specAt && i !== specAt - 1);
    }
    return {
      kind: "address",
      name: joinPhrase(nameWords) || joinComments(tokens),
      route: null,
      address: spec,
    };
  }
  if (words.length === 1 && words[0].type === "word") {
    return { kind: "address", name: joinComments(tokens), route: null, address: words[0].value };
  }
  const name = joinPhrase(words) || joinComments(tokens);
  return name ? { kind: "address", name, route: null, address: "" } : null;
}

/** Decoded addresses for the API: group members flattened, an empty group kept as its name with address "". */
export function toMailAddresses(entries: readonly AddressListEntry[]): MailAddress[] {
  const out: MailAddress[] = [];
  for (const entry of entries) {
    if (entry.kind === "address") {
      out.push({ name: decodeWords(entry.name), address: entry.address });
    } else if (entry.members.length === 0) {
      out.push({ name: decodeWords(entry.name), address: "" });
    } else {
      for (const member of entry.members)
        out.push({ name: decodeWords(member.name), address: member.address });
    }
  }
  return out;
}
