// Command keyword -> handler. The session checks the state before calling one.
import type { Pop3Command } from "../protocol/request.js";
import type { Pop3Session } from "../session.js";
import { auth, pass, user } from "./auth.js";
import { dele, rset } from "./delete.js";
import { capa, noop, quit, stls, utf8 } from "./general.js";
import { list, stat, uidl } from "./listing.js";
import { retr, top } from "./retrieve.js";

export type CommandHandler = (session: Pop3Session, args: string[], rest: string) => Promise<void>;

export const COMMAND_HANDLERS: Record<Pop3Command, CommandHandler> = {
  USER: user,
  PASS: pass,
  AUTH: auth,
  CAPA: capa,
  STAT: stat,
  LIST: list,
  UIDL: uidl,
  TOP: top,
  RETR: retr,
  DELE: dele,
  RSET: rset,
  NOOP: noop,
  QUIT: quit,
  STLS: stls,
  UTF8: utf8,
};
