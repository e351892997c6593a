/**
 * JSON parsing that keeps Meta's large ids intact. Meta sends ids as strings in most payloads but as
 * numbers in some, and ids can exceed 2^53: JSON.parse would silently round those. Integers beyond
 * Number.MAX_SAFE_INTEGER are turned into strings before parsing (Node 20 has no JSON source access).
 */

const LONG_DIGITS = /\d{16}/;

/** JSON.parse, except that unsafe integers become strings of their exact digits. */
export function parseGraphJson(text: string): unknown {
  return JSON.parse(LONG_DIGITS.test(text) ? quoteUnsafeIntegers(text) : text);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Walks the text outside string literals and quotes integer literals too large for a double. */
function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '-' || isDigit(c)) {
      let j = i + 1;
      while (isDigit(text[j])) j++;
      const next = text[j];
      if (next === '.' || next === 'e' || next === 'E') {
        while (j < text.length && /[0-9eE.+-]/.test(text[j] ?? '')) j++;
      } else if (!Number.isSafeInteger(Number(text.slice(i, j)))) {
        out += `${text.slice(last, i)}"${text.slice(i, j)}"`;
        last = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  return out + text.slice(last);
}
