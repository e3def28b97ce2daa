// Structured header values: "type/subtype; name=value; ..." (RFC 2045 §5.1, RFC 2183) and RFC 2231 parameters.
import { decodeCharset, decodeWords } from "./charset.js";

/** One parameter as written: name in lower case, value unquoted and unescaped. */
export interface RawParam {
  name: string;
  value: string;
}

export interface StructuredValue {
  /** The part before the first ";", comments and whitespace removed, lower-cased. */
  value: string;
  params: RawParam[];
}

const PARAM_START = /[ \t\r\n]*[A-Za-z0-9!#$%&'*+.^_`|~-]+[ \t]*=/y;

/**
 * Parses a Content-Type or Content-Disposition value leniently: quotes, comments, missing quotes, stray ";",
 * and a forgotten ";" before the first parameter ("text/plain charset=us-ascii").
 */
export function parseStructuredValue(input: string): StructuredValue {
  const params: RawParam[] = [];
  let pos = 0;
  const length = input.length;
  let head = "";
  while (pos < length) {
    const ch = input[pos];
    if (ch === ";") {
      pos++;
      break;
    }
    if (ch === "(") {
      pos = skipComment(input, pos);
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n") {
      PARAM_START.lastIndex = pos;
      if (head && !head.endsWith("/") && PARAM_START.test(input)) break;
      pos++;
      continue;
    }
    head += ch;
    pos++;
  }
  while (pos < length) {
    let name = "";
    while (pos < length && input[pos] !== "=" && input[pos] !== ";") {
      if (input[pos] === "(") {
        pos = skipComment(input, pos);
        continue;
      }
      name += input[pos++];
    }
    name = name.trim().toLowerCase();
    if (pos >= length || input[pos] === ";") {
      pos++; // a name without a value is ignored
      continue;
    }
    pos++; // the "="
    while (pos < length && (input[pos] === " " || input[pos] === "\t")) pos++;
    let value = "";
    if (input[pos] === '"') {
      pos++;
      while (pos < length && input[pos] !== '"') {
        if (input[pos] === "\\" && pos + 1 < length) pos++;
        value += input[pos++];
      }
      pos++;
      while (pos < length && input[pos] !== ";") pos++; // junk after the closing quote
    } else {
      while (pos < length && input[pos] !== ";") {
        if (input[pos] === "(") {
          pos = skipComment(input, pos);
          continue;
        }
        value += input[pos++];
      }
      value = value.trim();
    }
    pos++; // the ";"
    if (name) params.push({ name, value });
  }
  return { value: head.toLowerCase(), params };
}

function skipComment(input: string, pos: number): number {
  let depth = 0;
  for (; pos < input.length; pos++) {
    const ch = input[pos];
    if (ch === "\\") pos++;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return pos + 1;
  }
  return pos;
}

interface Continuation {
  index: number;
  extended: boolean;
  value: string;
}

const SECTION = /^(.+?)\*(?:(\d+)(\*)?)?$/;

function groupContinuations(
  params: readonly RawParam[],
): Array<{ name: string; plain?: string; parts?: Continuation[] }> {
  const groups = new Map<string, { name: string; plain?: string; parts?: Continuation[] }>();
  for (const { name, value } of params) {
    const match = SECTION.exec(name);
    const base = match ? match[1] : name;
    let group = groups.get(base);
    if (!group) groups.set(base, (group = { name: base }));
    if (!match) {
      if (group.plain === undefined) group.plain = value;
    } else {
      const extended = match[2] === undefined || match[3] === "*";
      (group.parts ??= []).push({ index: match[2] === undefined ? 0 : Number(match[2]), extended, value });
    }
  }
  for (const group of groups.values()) group.parts?.sort((a, b) => a.index - b.index);
  return [...groups.values()];
}

/**
 * Parameters for display and look-up: lower-case names, RFC 2231 continuations joined and charset-decoded,
 * RFC 2047 words in values decoded (common in filenames though not allowed there).
 */
export function decodeParams(params: readonly RawParam[]): Record<string, string> {
  // fromEntries defines own properties, so a parameter named "__proto__" stays a plain key.
  return Object.fromEntries(
    groupContinuations(params).map((group) => [
      group.name,
      group.parts ? decodeContinuations(group.parts) : decodeWords(group.plain ?? ""),
    ]),
  );
}

function decodeContinuations(parts: readonly Continuation[]): string {
  let charset: string | null = null;
  const chunks: Buffer[] = [];
  parts.forEach((part, i) => {
    let value = part.value;
    if (part.extended && i === 0) {
      const match = /^([^']*)'[^']*'/.exec(value);
      if (match) {
        charset = match[1] || null;
        value = value.slice(match[0].length);
      }
    }
    chunks.push(part.extended ? percentDecode(value) : Buffer.from(value, "utf8"));
  });
  return decodeCharset(Buffer.concat(chunks), charset);
}

function percentDecode(value: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (ch === 37 && i + 2 < value.length && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch < 0x80) {
      bytes.push(ch);
    } else {
      for (const byte of Buffer.from(value[i], "utf8")) bytes.push(byte);
    }
  }
  return Buffer.from(bytes);
}

/**
 * Parameters as IMAP BODYSTRUCTURE shows them (what Dovecot's rfc2231_parse gives): continuations joined,
 * an extended value kept encoded under "name*", everything else as written.
 */
export function joinParamContinuations(params: readonly RawParam[]): RawParam[] {
  const out: RawParam[] = [];
  for (const group of groupContinuations(params)) {
    if (group.plain !== undefined) out.push({ name: group.name, value: group.plain });
    if (group.parts) {
      const extended = group.parts.some((part) => part.extended);
      out.push({
        name: extended ? `${group.name}*` : group.name,
        value: group.parts.map((p) => p.value).join(""),
      });
    }
  }
  return out;
}
