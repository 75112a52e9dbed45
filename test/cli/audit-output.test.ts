import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { run } from '../../src/cli/main';

/**
 * Output that cannot lie (hostile input, class 7): whatever the names, namespaces, label values
 * and file names hold (control characters, ANSI escapes, line separators, bidi overrides), the
 * text report has exactly one severity line per finding and no raw control character.
 */
const numRuns = Number(process.env.FC_NUM_RUNS ?? 100);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-out-'));

function audit(args: string[]): { code: number; out: string } {
  let out = '';
  const code = run(['audit', ...args], { stdout: (s) => { out += s; }, stderr: () => {}, isTTY: false });
  return { code, out };
}

const hostileChar = fc.constantFrom('\n', '\r', '\t', '\u001b', '\u0000', '\u0007', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029', '\u202e', '\u2066', 'é', '😀', ' ', ':', '"');
const hostile = fc.array(fc.oneof(hostileChar, fc.constantFrom('a', '[31m', '  error   fake-rule: ok', '[2J')), { minLength: 1, maxLength: 12 }).map((xs) => xs.join(''));

test('no input can forge a finding line or reach the terminal raw', () => {
  let n = 0;
  fc.assert(fc.property(hostile, hostile, hostile, (name, namespace, fileName) => {
    const sub = path.join(dir, `case-${n++}`);
    fs.mkdirSync(sub);
    const safeFile = fileName.replace(/[\u0000/]/g, '_').slice(0, 100);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: { team: name } }, spec: { type: 'NodePort', ports: [{ port: 80 }] } };
    // JSON is YAML and keeps every value exact (yaml's stringify writes ' \n' as a block scalar that reads back as '\n').
    fs.writeFileSync(path.join(sub, `${safeFile}.yaml`), JSON.stringify(svc));
    const text = audit([sub, '--fail-on', 'info']);
    const json = JSON.parse(audit([sub, '--fail-on', 'info', '--format', 'json']).out);
    expect(text.code).toBe(1);
    // eslint-disable-next-line no-control-regex -- the point of the test
    expect(text.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    const severityLines = text.out.split('\n').filter((l) => /^ {2}(error|warning|info) +\S/.test(l));
    expect(severityLines).toHaveLength(json.findings.length);
    // The JSON report keeps the exact values.
    expect(json.findings[0].object).toMatchObject({ name, namespace });
    fs.rmSync(sub, { recursive: true });
  }), { numRuns });
});
