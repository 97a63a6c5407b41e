/**
 * Splitting long strings into values a storage accepts: Durable Object SQLite
 * refuses a value over 2 MB, PartyKit's key-value storage one over 128 KiB.
 * Checkpoints (a whole board) and the log entry of a restore (a diff up to a
 * whole board) can be far larger; they are stored as numbered parts.
 */

/** `text` cut into pieces of at most `size` UTF-16 code units (at least one
 * piece). Never between the two halves of a surrogate pair: a storage that
 * keeps text as UTF-8 would turn a lone half into U+FFFD. */
export function splitText(text: string, size: number): string[] {
  if (text.length <= size) return [text];
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(text.slice(i, end));
    i = end;
  }
  return parts;
}
