import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeText, EncodingError } from '../../src/cli/encoding';
import { cli } from '../util/cli';

const manifest = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: legacy',
  '  namespace: shop',
  'spec:',
  '  containers:',
  '    - name: app',
  '      image: nginx:latest',
  '',
].join('\n');

const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string) => {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), b]);
};

function audit(bytes: Buffer, name = 'pod.yaml'): { code: number; out: string; err: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-enc-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  const r = cli('audit', file, '--format', 'json');
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** Rule ids and positions of an audit, without the temporary file name. */
const findingsOf = (r: { out: string }) => JSON.parse(r.out).findings.map((f: any) => [f.ruleId, f.path, f.line, f.column]);

describe('input encodings (YAML 1.2: UTF-8, or UTF-16 with a byte-order mark)', () => {
  test('UTF-16LE and UTF-16BE files are audited like the UTF-8 file: same findings, same line:column', () => {
    const utf8 = audit(Buffer.from(manifest, 'utf8'));
    expect(utf8.code).toBe(1);
    const expected = findingsOf(utf8);
    expect(expected.length).toBeGreaterThan(3);
    expect(expected).toContainEqual(['image-tag-pinned', 'spec.containers[0].image', 9, 7]);
    for (const bytes of [utf16le(manifest), utf16be(manifest), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(manifest)])]) {
      const r = audit(bytes);
      expect(r.err).toBe('');
      expect(findingsOf(r)).toEqual(expected);
    }
  });

  test('UTF-32, UTF-16 without a mark and a truncated UTF-16 file are named (exit 2), not parsed as NUL bytes', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.alloc(8)]), /UTF-32 text: save it as UTF-8/],
      [Buffer.from(manifest, 'utf16le'), /looks like UTF-16 text without a byte-order mark/],
      [Buffer.concat([utf16le(manifest), Buffer.from([0x41])]), /UTF-16 text with an odd number of bytes/],
    ];
    for (const [bytes, message] of cases) {
      const r = audit(bytes);
      expect([r.code, r.err]).toEqual([2, expect.stringMatching(message)]);
      expect(r.err).not.toMatch(/null byte/);
    }
    expect(() => decodeText(Buffer.from([0, 0x41]), 'x')).toThrow(EncodingError);
    expect(decodeText(Buffer.from('plain'), 'x')).toBe('plain');
  });
});
