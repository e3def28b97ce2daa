// SELECT and EXAMINE (with CONDSTORE / QRESYNC parameters), CLOSE, UNSELECT, CHECK.
import type { CommandSpec } from "./context.js";

export const SELECT_COMMANDS: CommandSpec[] = [];
