// HTML to plain text for previews and search only (the API gives clients the HTML itself).

const NAMED_ENTITIES = new Map<string, string>(
  Object.entries({
    amp: "&",
    lt: "<",
    gt: ">",
    quot: '"',
    apos: "'",
    nbsp: " ",
    copy: "©",
    reg: "®",
    trade: "™",
    hellip: "…",
    mdash: "—",
    ndash: "–",
    lsquo: "‘",
    rsquo: "’",
    ldquo: "“",
    rdquo: "”",
    bull: "•",
    middot: "·",
    euro: "€",
    pound: "£",
    yen: "¥",
    cent: "¢",
    laquo: "«",
    raquo: "»",
    zwnj: "",
    zwj: "",
    shy: "",
  }),
);

/** Drops head, style, script and comments, turns block ends into line breaks, strips tags, decodes entities. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?(?:-->|$)/g, " ")
      .replace(/<(head|style|script|title)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, " ")
      .replace(/<(?:br|\/p|\/div|\/tr|\/li|\/h[1-6]|\/table|\/blockquote)\b[^>]*>/gi, "\n")
      .replace(/<[^>]*>/g, " "),
  );
}

function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});?/g, (match, entity: string) => {
    if (entity[0] === "#") {
      const code =
        entity[1] === "x" || entity[1] === "X"
          ? parseInt(entity.slice(2), 16)
          : parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : " ";
    }
    return NAMED_ENTITIES.get(entity.toLowerCase()) ?? match;
  });
}
