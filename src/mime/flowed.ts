// text/plain; format=flowed (RFC 3676 §4): joins the lines a sender wrapped softly, keeps the quote depth.

interface Paragraph {
  depth: number;
  prefix: string;
  text: string;
}

/** Unwraps flowed text: a line ending in a space continues on the next line of the same quote depth. */
export function unflow(text: string, delsp: boolean): string {
  const out: string[] = [];
  // The paragraph being joined, written back with its first line's quote marks as they were.
  let open: Paragraph | null = null;
  for (const line of text.split(/\r?\n/)) {
    let depth = 0;
    while (line.charCodeAt(depth) === 62 /* > */) depth++;
    let content = line.slice(depth);
    let prefix = line.slice(0, depth);
    if (content.startsWith(" ")) {
      content = content.slice(1); // space-stuffing (§4.4) or the space after ">"
      if (depth > 0) prefix += " ";
    }
    // The signature separator "-- " is a hard break (§4.3).
    const soft = content.endsWith(" ") && content !== "-- ";
    if (open && open.depth !== depth) {
      out.push(open.prefix + open.text);
      open = null;
    }
    const piece = soft && delsp ? content.slice(0, -1) : content;
    const current: Paragraph = open
      ? { depth, prefix: open.prefix, text: open.text + piece }
      : { depth, prefix, text: piece };
    if (soft) open = current;
    else {
      out.push(current.prefix + current.text);
      open = null;
    }
  }
  if (open) out.push(open.prefix + open.text);
  return out.join("\n");
}
