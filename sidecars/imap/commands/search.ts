// SEARCH, SORT and THREAD (RFC 3501, 5256), their UID forms, ESEARCH returns (RFC 4731).
import type { CommandSpec } from "./context.js";

export const SEARCH_COMMANDS: CommandSpec[] = [];
