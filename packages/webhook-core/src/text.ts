/**
 * At most `max` UTF-16 units of `text`, ending with `…` when cut, never splitting a surrogate pair
 * (a lone surrogate cannot be stored in PostgreSQL text).
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
