/** "Did you mean …" for commands, containers, pods and networks. */

/** The candidate with the smallest edit distance, if it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[], maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.min(maxDistance, Math.floor(word.length / 2)) ? best : undefined;
}

/** Candidates ranked by closeness: prefix and substring matches first, then by edit distance. */
export function rankSimilar(word: string, candidates: readonly string[], limit = 5): string[] {
  const w = word.toLowerCase();
  const score = (c: string): number => {
    const lc = c.toLowerCase();
    if (lc.startsWith(w) || w.startsWith(lc)) return 0;
    if (lc.includes(w)) return 1;
    return 2 + editDistance(w, lc);
  };
  const threshold = 2 + Math.max(2, Math.floor(w.length / 2));
  return candidates
    .map((c) => ({ c, s: score(c) }))
    .filter((x) => x.s <= threshold)
    .sort((a, b) => a.s - b.s || a.c.localeCompare(b.c))
    .slice(0, limit)
    .map((x) => x.c);
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
