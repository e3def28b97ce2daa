import { closestName } from "../config/closest-name.js";

/** A parsed command line: positional words, `--name value` / `--name=value` options (repeatable) and `--flag`s. */
export interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
}

/** A mistake on the command line: the CLI prints it with the command's usage and exits 2. */
export class UsageError extends Error {}

/** Options that take no value. */
const FLAGS = new Set(["fix", "help", "json", "yes", "rotate", "replace"]);

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  const add = (k: string, v: string) => options.set(k, [...(options.get(k) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h") {
      add("help", "true");
      continue;
    }
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq > 0) add(arg.slice(2, eq), arg.slice(eq + 1));
    else if (FLAGS.has(arg.slice(2))) add(arg.slice(2), "true");
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`Option ${arg} needs a value.`);
      add(arg.slice(2), value);
      i++;
    }
  }
  return { positional, options };
}

export function option(args: ParsedArgs, name: string): string | undefined {
  const values = args.options.get(name);
  return values?.[values.length - 1];
}

export const flag = (args: ParsedArgs, name: string): boolean => args.options.has(name);

/** Refuses options the command does not take (`--config` and `--help` are always allowed), so a typo is not ignored. */
export function expectOptions(args: ParsedArgs, command: string, allowed: string[]): void {
  const known = [...allowed, "config", "help"];
  for (const name of args.options.keys()) {
    if (known.includes(name)) continue;
    const near = closestName(name, known);
    throw new UsageError(
      `"${command}" takes no option --${name}${near ? ` (did you mean --${near}?)` : ""}.`,
    );
  }
}

/** Refuses words after the ones the command takes. */
export function expectPositional(args: ParsedArgs, command: string, count: number): void {
  const extra = args.positional.slice(count);
  if (extra.length > 0) throw new UsageError(`"${command}" does not take "${extra.join(" ")}".`);
}
