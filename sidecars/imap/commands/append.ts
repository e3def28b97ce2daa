// APPEND with APPENDUID (RFC 4315) and APPENDLIMIT (RFC 7889).
import type { CommandSpec } from "./context.js";

export const APPEND_COMMANDS: CommandSpec[] = [];
