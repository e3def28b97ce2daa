// Command name -> spec, gathered from the family files. The session checks the state before calling one.
import { APPEND_COMMANDS } from "./append.js";
import { AUTH_COMMANDS } from "./auth.js";
import type { CommandSpec } from "./context.js";
import { COPY_MOVE_COMMANDS } from "./copy-move.js";
import { EXPUNGE_COMMANDS } from "./expunge.js";
import { FETCH_COMMANDS } from "./fetch.js";
import { GENERAL_COMMANDS } from "./general.js";
import { IDLE_COMMANDS } from "./idle.js";
import { MAILBOX_COMMANDS } from "./mailboxes.js";
import { QUOTA_COMMANDS } from "./quota.js";
import { SEARCH_COMMANDS } from "./search.js";
import { SELECT_COMMANDS } from "./select.js";
import { STORE_COMMANDS } from "./store.js";

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(
  [
    ...GENERAL_COMMANDS,
    ...AUTH_COMMANDS,
    ...SELECT_COMMANDS,
    ...IDLE_COMMANDS,
    ...STORE_COMMANDS,
    ...COPY_MOVE_COMMANDS,
    ...EXPUNGE_COMMANDS,
    ...FETCH_COMMANDS,
    ...SEARCH_COMMANDS,
    ...MAILBOX_COMMANDS,
    ...APPEND_COMMANDS,
    ...QUOTA_COMMANDS,
  ].map((spec) => [spec.name, spec]),
);
