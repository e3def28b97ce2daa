// CAPABILITY, NOOP, LOGOUT (RFC 3501 §6.1), STARTTLS (§6.2.1), ID (RFC 2971), ENABLE (RFC 5161), COMPRESS
// (RFC 4978).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { atomIs, atomOf, BadArguments, listOf, type ImapArg } from "../protocol/request.js";
import { atom, type ImapValue } from "../protocol/values.js";
import { ANY, AUTHENTICATED, NOT_AUTHENTICATED, type CommandSpec, type ImapSession } from "./context.js";

const capability: CommandSpec = {
  name: "CAPABILITY",
  states: ANY,
  expunges: true,
  async handle(session, request) {
    noArguments(request.args, "CAPABILITY");
    session.untagged(`CAPABILITY ${session.capabilities().join(" ")}`);
    return { status: "OK", text: "CAPABILITY completed." };
  },
};

/** Does nothing; the session writes the updates waiting for a selected mailbox before the answer. */
const noop: CommandSpec = {
  name: "NOOP",
  states: ANY,
  expunges: true,
  async handle(_session, request) {
    noArguments(request.args, "NOOP");
    return { status: "OK", text: "NOOP completed." };
  },
};

const logout: CommandSpec = {
  name: "LOGOUT",
  states: ANY,
  expunges: true,
  async handle(session, request) {
    noArguments(request.args, "LOGOUT");
    session.untagged("BYE Logging out.");
    session.state = "logout";
    session.afterResponse(() => session.end());
    return { status: "OK", text: "LOGOUT completed." };
  },
};

const starttls: CommandSpec = {
  name: "STARTTLS",
  states: NOT_AUTHENTICATED,
  expunges: true,
  async handle(session, request) {
    noArguments(request.args, "STARTTLS");
    if (session.secure) return { status: "BAD", text: "TLS is already active." };
    if (!session.options.tls) return { status: "NO", text: "TLS is not available on this server." };
    session.afterResponse(() => session.startTls());
    return { status: "OK", text: "Begin TLS negotiation now." };
  },
};

/** RFC 2971 §3.3: at most 30 pairs, names up to 30 octets, values up to 1024. */
const ID_MAX_PAIRS = 30;

const id: CommandSpec = {
  name: "ID",
  states: ANY,
  expunges: true,
  async handle(session, request) {
    if (request.args.length !== 1) throw new BadArguments("ID takes NIL or one list of field-value pairs.");
    const [arg] = request.args;
    if (!atomIs(arg, "NIL")) {
      const items = listOf(arg, "the ID fields");
      if (items.length % 2 !== 0 || items.length > 2 * ID_MAX_PAIRS)
        throw new BadArguments(
          `ID takes up to ${ID_MAX_PAIRS} field-value pairs; got ${items.length} items.`,
        );
      items.forEach((item, i) => checkIdItem(item, i % 2 === 0));
    }
    const info: ImapValue[] = ["name", "Eider", "version", eiderVersion(), "vendor", "Eider"];
    session.untaggedValues([atom("ID"), info]);
    return { status: "OK", text: "ID completed." };
  },
};

function checkIdItem(item: ImapArg, isName: boolean): void {
  if (item.type === "string") {
    const max = isName ? 30 : 1024;
    if (item.value.length > max)
      throw new BadArguments(`An ID ${isName ? "field name" : "value"} is at most ${max} octets.`);
    return;
  }
  if (!isName && atomIs(item, "NIL")) return;
  throw new BadArguments(`ID ${isName ? "field names" : "values"} are strings${isName ? "" : " or NIL"}.`);
}

/** What ENABLE can turn on, once CAPABILITY lists it (RFC 5161 §3.1: only advertised extensions). */
const ENABLEABLE = ["CONDSTORE", "QRESYNC", "UTF8=ACCEPT"] as const;
type Enableable = (typeof ENABLEABLE)[number];

const enable: CommandSpec = {
  name: "ENABLE",
  states: ["authenticated"],
  expunges: true,
  async handle(session, request) {
    if (request.args.length === 0) throw new BadArguments("ENABLE takes one or more capability names.");
    const offered = new Set(session.capabilities().map((c) => c.toUpperCase()));
    const newly: string[] = [];
    for (const arg of request.args) {
      const name = atomOf(arg, "a capability name").toUpperCase();
      if (!(ENABLEABLE as readonly string[]).includes(name) || !offered.has(name)) continue;
      if (turnOn(session, name as Enableable)) newly.push(name);
    }
    session.untagged(newly.length > 0 ? `ENABLED ${newly.join(" ")}` : "ENABLED");
    return { status: "OK", text: "ENABLE completed." };
  },
};

/** True when the extension was off; QRESYNC turns CONDSTORE on too (RFC 7162 §3.2.3). */
function turnOn(session: ImapSession, name: Enableable): boolean {
  if (session.enabled.has(name)) return false;
  session.enabled.add(name);
  if (name === "QRESYNC") session.enabled.add("CONDSTORE");
  return true;
}

const compress: CommandSpec = {
  name: "COMPRESS",
  states: AUTHENTICATED,
  expunges: true,
  async handle(session, request) {
    if (request.args.length !== 1 || !atomIs(request.args[0], "DEFLATE"))
      throw new BadArguments("COMPRESS takes one mechanism: DEFLATE.");
    if (session.compressed)
      return { status: "NO", code: "COMPRESSIONACTIVE", text: "DEFLATE is already active." };
    session.afterResponse(() => session.startCompression());
    return { status: "OK", text: "DEFLATE active." };
  },
};

function noArguments(args: ImapArg[], command: string): void {
  if (args.length > 0) throw new BadArguments(`${command} takes no arguments.`);
}

let version: string | null = null;

/** package.json's version (found above this file, in the source tree and in dist/ alike). */
function eiderVersion(): string {
  if (version !== null) return version;
  version = "unknown";
  for (
    let dir = path.dirname(fileURLToPath(import.meta.url));
    dir !== path.dirname(dir);
    dir = path.dirname(dir)
  ) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "eider" && pkg.version) {
        version = pkg.version;
        break;
      }
    } catch {
      // not here; one folder up
    }
  }
  return version;
}

export const GENERAL_COMMANDS: CommandSpec[] = [capability, noop, logout, starttls, id, enable, compress];
