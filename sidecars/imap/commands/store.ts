// STORE and UID STORE, with UNCHANGEDSINCE (RFC 7162).
import type { CommandSpec } from "./context.js";

export const STORE_COMMANDS: CommandSpec[] = [];
