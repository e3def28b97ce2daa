// Plain text as HTML for clients that only render HTML: escaped, links made clickable, paragraphs kept.
// Word by word with anchored patterns, so a hostile body (one huge word) costs linear time.

const URL_WORD = /^(?:https?:\/\/|www\.)[^<>"]+$/i;
const ADDRESS_WORD = /^[^@<>"]+@[^@<>".]+(?:\.[^@<>".]+)+$/;
const LEADING = new Set("(<\"'[");
const TRAILING = new Set(".,;:!?)]}'\"*>");

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** One `<p>` per blank-line separated paragraph, `<br/>` for other line breaks, URLs and addresses as links. */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n/)
    .filter((p) => p.trim() !== "")
    .map((p) => `<p>${linkify(p.replace(/^\n+|\n+$/g, "")).replace(/\n/g, "<br/>")}</p>`)
    .join("");
}

function linkify(text: string): string {
  return text.replace(/[^\s]+/g, (word) => {
    let from = 0;
    let to = word.length;
    while (from < to && LEADING.has(word[from])) from++;
    while (to > from && TRAILING.has(word[to - 1])) to--;
    const [head, core, tail] = [word.slice(0, from), word.slice(from, to), word.slice(to)];
    let href: string | null = null;
    if (URL_WORD.test(core)) href = /^www\./i.test(core) ? `http://${core}` : core;
    else if (ADDRESS_WORD.test(core)) href = `mailto:${core}`;
    if (!href) return escapeHtml(word);
    return `${escapeHtml(head)}<a href="${escapeHtml(href)}">${escapeHtml(core)}</a>${escapeHtml(tail)}`;
  });
}
