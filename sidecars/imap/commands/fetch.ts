// FETCH and UID FETCH: every RFC 3501 item, BODY[section]<partial>, CHANGEDSINCE / VANISHED.
import type { CommandSpec } from "./context.js";

export const FETCH_COMMANDS: CommandSpec[] = [];
