/**
 * The text of a YAML or JSON input file. YAML 1.2 (5.2, "Character Encodings") allows UTF-8 and
 * UTF-16 streams, told apart by a byte-order mark; Windows tools (PowerShell's `>`, Notepad's
 * "Unicode") write UTF-16LE with one. Read as UTF-8, such a file is every other byte a NUL, and the
 * parser's "null byte" says nothing useful. UTF-32 and UTF-16 without a mark are named, not guessed.
 * @internal
 */
export class EncodingError extends Error {
  public readonly name = 'EncodingError';
}

export function decodeText(buf: Buffer, what: string): string {
  const utf32be = buf.length >= 4 && buf[0] === 0 && buf[1] === 0 && buf[2] === 0xfe && buf[3] === 0xff;
  const utf32le = buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xfe && buf[2] === 0 && buf[3] === 0;
  if (utf32be || utf32le) {
    throw new EncodingError(`${what}: UTF-32 text: save it as UTF-8 (or UTF-16) and try again`);
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return utf16(buf.subarray(2), 'le', what);
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return utf16(buf.subarray(2), 'be', what);
  if (buf.length >= 2 && (buf[0] === 0) !== (buf[1] === 0)) {
    // YAML's own detection: an ASCII first character next to a NUL byte is UTF-16 without a mark.
    throw new EncodingError(`${what}: looks like UTF-16 text without a byte-order mark: save it as UTF-8 and try again`);
  }
  return buf.toString('utf8');
}

function utf16(body: Buffer, order: 'le' | 'be', what: string): string {
  if (body.length % 2) throw new EncodingError(`${what}: UTF-16 text with an odd number of bytes (truncated?)`);
  if (order === 'le') return body.toString('utf16le');
  const swapped = Buffer.from(body);
  swapped.swap16();
  return swapped.toString('utf16le');
}
