/** A parsed command line: positional words, `--name value` / `--name=value` options (repeatable) and `--flag`s. */
export interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
}

const FLAGS = new Set(["fix", "help", "json"]);

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  const add = (k: string, v: string) => options.set(k, [...(options.get(k) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq > 0) add(arg.slice(2, eq), arg.slice(eq + 1));
    else if (FLAGS.has(arg.slice(2))) add(arg.slice(2), "true");
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new Error(`Option ${arg} needs a value.`);
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
