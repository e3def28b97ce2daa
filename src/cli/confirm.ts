import { createInterface } from "node:readline/promises";
import { flag, UsageError, type ParsedArgs } from "./args.js";

/** Asks a yes/no question on the terminal; anything but "y" or "yes" is a no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * Whether a destructive command may go ahead: `--yes`, or a yes on the terminal. Without `--yes` and without a
 * terminal it refuses with a usage error: "Not deleting <what> without a terminal to ask on; add --yes."
 */
export async function confirmed(args: ParsedArgs, what: string, question: string): Promise<boolean> {
  if (flag(args, "yes")) return true;
  if (!process.stdin.isTTY || !process.stdout.isTTY)
    throw new UsageError(`Not deleting ${what} without a terminal to ask on; add --yes.`);
  return confirm(question);
}
