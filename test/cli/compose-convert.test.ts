import { convertComposeText, shellWords } from '../../src/compose';

describe('shellWords splits a Compose string command the way Compose does', () => {
  test.each([
    ['node server.js', ['node', 'server.js']],
    ['  gunicorn  -b 0.0.0.0:8000 app:wsgi ', ['gunicorn', '-b', '0.0.0.0:8000', 'app:wsgi']],
    ['/bin/sh -c "while true; do sleep 1; done"', ['/bin/sh', '-c', 'while true; do sleep 1; done']],
    ['echo \'a b\' "c \\"d\\"" e\\ f \'\'', ['echo', 'a b', 'c "d"', 'e f', '']],
    ['--default-authentication-plugin=mysql_native_password', ['--default-authentication-plugin=mysql_native_password']],
    ['find /data -name *.tmp', ['find', '/data', '-name', '*.tmp']],
  ])('%s', (input, words) => {
    expect(shellWords(input)).toEqual(words);
  });

  test.each(['npm run migrate && npm start', 'serve > /tmp/log', 'echo $HOME', 'echo "$HOME"', 'a | b', 'echo `date`', 'unterminated "quote', '   '])('%s needs a shell (or is empty)', (input) => {
    expect(shellWords(input)).toBeUndefined();
  });
});

function convert(compose: string) {
  const r = convertComposeText(compose, { project: 'demo', source: 'compose.yaml', packageSpec: '^0.0.0' });
  const md = r.files['MIGRATION.md'];
  return { spec: r.files['spec.ts'], md };
}

test('command and entrypoint strings become words; a line that needs a shell runs through sh -c with a TODO', () => {
  const { spec, md } = convert(`
services:
  api:
    image: ghcr.io/acme/api:1.0.0
    command: node server.js --port 3000
  migrate:
    image: ghcr.io/acme/api:1.0.0
    command: npm run migrate && npm start
  proxy:
    image: ghcr.io/acme/proxy:1.0.0
    entrypoint: /docker-entrypoint.sh
    command: "nginx -g 'daemon off;'"
`);
  expect(spec).toContain('args: ["node", "server.js", "--port", "3000"],');
  expect(spec).toContain('command: ["sh", "-c", "npm run migrate && npm start"],');
  expect(spec).toContain('command: ["/docker-entrypoint.sh"],');
  expect(spec).toContain('args: ["nginx", "-g", "daemon off;"],');
  expect(md).toContain('the Compose command string needs a shell and runs through sh -c');
});

test('UDP ports keep their protocol and name; TCP alone serves the readiness probe; ranges and SCTP become TODOs', () => {
  const { spec, md } = convert(`
services:
  dns:
    image: ghcr.io/acme/dns:1.0.0
    ports: ["5353:5353/udp", "8053:8053", "127.0.0.1:9000-9002:9000-9002", "9999/sctp"]
  client:
    image: ghcr.io/acme/client:1.0.0
    depends_on: [dns]
`);
  expect(spec).toContain('{ name: "udp-5353", port: 5353, protocol: "UDP" },');
  expect(spec).toContain('{ name: "port-8053", port: 8053 },');
  expect(spec).toContain('probes: { readiness: { tcp: { port: "port-8053" } } },');
  expect(spec).toContain('[{ from: "client", to: "dns", ports: ["udp-5353", "port-8053", "port-9000"] }]');
  expect(md).toContain('`client` → `dns` on 5353/UDP, 8053/TCP, 9000/TCP: allowed by both NetworkPolicies. Evidence: depends_on.');
  expect(md).toContain("port range '127.0.0.1:9000-9002:9000-9002': only its first port was converted");
  expect(md).toContain('port 9999/sctp: only TCP and UDP ports are converted');
});

test('tmpfs sizes carry over; start_period becomes a startup probe built from the healthcheck', () => {
  const { spec, md } = convert(`
services:
  api:
    image: ghcr.io/acme/api:3.2.1
    ports: ["8080:8080"]
    tmpfs: ["/run:size=10m,mode=1777", "/cache"]
    volumes:
      - {type: tmpfs, target: /scratch, tmpfs: {size: 33554432}}
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:8080/health"]
      interval: 30s
      timeout: 10s
      retries: 2
      start_period: 1m
`);
  expect(spec).toContain('{ path: "/run", sizeLimit: "10Mi" }');
  expect(spec).toContain('{ path: "/cache", sizeLimit: "64Mi" }');
  expect(spec).toContain('{ path: "/scratch", sizeLimit: "32Mi" }');
  expect(spec).toMatch(/startup: \{\n\s+exec: \{ command: \["wget", "-qO-", "http:\/\/localhost:8080\/health"\] \},\n\s+periodSeconds: 30,\n\s+timeoutSeconds: 10,\n\s+failureThreshold: 4,\n/);
  expect(md).toContain('start_period 60s: a startup probe');
});

test('no start_period, no startup probe', () => {
  const { spec } = convert('services:\n  api:\n    image: ghcr.io/acme/api:3.2.1\n    ports: ["8080:8080"]\n    healthcheck: {test: ["CMD", "true"]}\n');
  expect(spec).not.toContain('startup');
});
