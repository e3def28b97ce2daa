// The open multipart boundaries, kept in a byte trie so that matching a line costs at most one step per
// byte of the longest boundary, however many are open: with 100 nested multiparts, comparing every open
// boundary at each "--" line would let a crafted 25 MB message cost seconds of CPU.

/** An open boundary; identity tells the splitter whose boundary a line is. */
export interface Boundary {
  bytes: Buffer;
}

interface TrieNode {
  next: Map<number, TrieNode> | null;
  /** Open boundaries ending here, innermost last (the same boundary may be open twice). */
  ends: Boundary[];
}

export class BoundaryStack {
  private readonly root: TrieNode = { next: null, ends: [] };
  private readonly open: Boundary[] = [];

  get size(): number {
    return this.open.length;
  }

  push(bytes: Buffer): Boundary {
    const boundary: Boundary = { bytes };
    let node = this.root;
    for (const byte of bytes) {
      node.next ??= new Map();
      let child = node.next.get(byte);
      if (!child) node.next.set(byte, (child = { next: null, ends: [] }));
      node = child;
    }
    node.ends.push(boundary);
    this.open.push(boundary);
    return boundary;
  }

  /** Closes the innermost boundary. */
  pop(): void {
    const boundary = this.open.pop();
    if (!boundary) return;
    let node: TrieNode | undefined = this.root;
    for (const byte of boundary.bytes) node = node?.next?.get(byte);
    node?.ends.pop();
  }

  /** The longest open boundary that raw[start, end) starts with (the innermost of equal ones), or null. */
  match(raw: Buffer, start: number, end: number): Boundary | null {
    let best: Boundary | null = null;
    let node: TrieNode | undefined = this.root;
    for (let i = start; i < end; i++) {
      node = node.next?.get(raw[i]);
      if (!node) break;
      if (node.ends.length > 0) best = node.ends[node.ends.length - 1];
    }
    return best;
  }
}
