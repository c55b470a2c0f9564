/**
 * A line diff between two texts (config versions, desired vs effective
 * config): longest common subsequence over lines after trimming the common
 * head and tail, with a size cap so a huge file degrades to "all replaced"
 * instead of freezing the page.
 */

/** One line of a diff. */
export interface DiffLine {
  readonly kind: "same" | "added" | "removed";
  readonly text: string;
  /** 1-based line number in the old text (absent for added lines). */
  readonly oldLine?: number;
  /** 1-based line number in the new text (absent for removed lines). */
  readonly newLine?: number;
}

/** Cells of the LCS table beyond which the middle is shown as removed + added. */
export const MAX_DIFF_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Diffs `before` against `after` line by line. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail += 1;
  }
  const out: DiffLine[] = [];
  for (let i = 0; i < head; i += 1)
    out.push({ kind: "same", text: a[i]!, oldLine: i + 1, newLine: i + 1 });
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  out.push(...diffMiddle(midA, midB, head, head));
  for (let i = tail; i > 0; i -= 1) {
    out.push({
      kind: "same",
      text: a[a.length - i]!,
      oldLine: a.length - i + 1,
      newLine: b.length - i + 1,
    });
  }
  return out;
}

function diffMiddle(a: string[], b: string[], offA: number, offB: number): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const removedAll = a.map(
    (text, i): DiffLine => ({ kind: "removed", text, oldLine: offA + i + 1 }),
  );
  const addedAll = b.map((text, j): DiffLine => ({ kind: "added", text, newLine: offB + j + 1 }));
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_DIFF_CELLS) return [...removedAll, ...addedAll];
  // lcs[i][j] = length of the LCS of a[i..] and b[j..], flattened row-major.
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: "same", text: a[i]!, oldLine: offA + i + 1, newLine: offB + j + 1 });
      i += 1;
      j += 1;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      out.push({ kind: "removed", text: a[i]!, oldLine: offA + i + 1 });
      i += 1;
    } else {
      out.push({ kind: "added", text: b[j]!, newLine: offB + j + 1 });
      j += 1;
    }
  }
  for (; i < n; i += 1) out.push({ kind: "removed", text: a[i]!, oldLine: offA + i + 1 });
  for (; j < m; j += 1) out.push({ kind: "added", text: b[j]!, newLine: offB + j + 1 });
  return out;
}

/** Counts of added and removed lines. */
export function diffStats(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.kind === "added") added += 1;
    else if (l.kind === "removed") removed += 1;
  }
  return { added, removed };
}

/** Joins a config's files into one text for diffing, each under a `# file: name` header. */
export function filesToText(files: Readonly<Record<string, { readonly body: string }>>): string {
  const names = Object.keys(files).sort();
  if (names.length === 1) return files[names[0]!]!.body;
  return names.map((name) => `# file: ${name}\n${files[name]!.body}`).join("\n");
}
