// diff compares two lists of lines: the longest common subsequence, then
// the edit script as [{op: ' ' | '-' | '+', text}]. Templates are at most a
// few thousand lines, so the quadratic table is small enough; a common
// head and tail are taken off first, which leaves little for most edits.

export function lineDiff(before, after) {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start += 1;
  let endA = before.length;
  let endB = after.length;
  while (endA > start && endB > start && before[endA - 1] === after[endB - 1]) { endA -= 1; endB -= 1; }
  const a = before.slice(start, endA);
  const b = after.slice(start, endB);
  // lengths[i][j]: the LCS of a[i:] and b[j:].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const out = before.slice(0, start).map((text) => ({ op: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Removed lines come before the lines that replace them.
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] });
      i += 1;
      j += 1;
    } else if (i < a.length && (j === b.length || lengths[i + 1][j] >= lengths[i][j + 1])) {
      out.push({ op: '-', text: a[i] });
      i += 1;
    } else {
      out.push({ op: '+', text: b[j] });
      j += 1;
    }
  }
  return out.concat(before.slice(endA).map((text) => ({ op: ' ', text })));
}
