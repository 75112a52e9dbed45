import { EngineName } from '../spec/engines';
import { parseImageReference } from '../spec/image';

/**
 * What popular official images need to run hardened (non-root UID 10001, read-only root filesystem,
 * no capabilities), from each image's documentation on Docker Hub: the ports they listen on, the
 * paths they write, where their data lives, a health command, and a non-root variant where one is
 * published.
 */
export interface ImageKnowledge {
  /** Docker Hub repository (official images without `library/`). */
  readonly repository: string;
  /** A database preset of this library, or 'mongo' (a custom engine). */
  readonly engine?: EngineName | 'mongo';
  /** The port the image listens on by default. */
  readonly port: number;
  /** An image built to run as non-root on a high port, and the port it listens on. */
  readonly nonRoot?: { readonly repository: string; readonly port: number; readonly extraPorts?: Record<number, number> };
  /** Directories the process writes besides /tmp (become size-limited writable paths). */
  readonly writablePaths: readonly string[];
  /** Where the data lives (a claim, or a database's storage). */
  readonly dataPaths: readonly string[];
  /** A health command that runs inside the image. */
  readonly health?: readonly string[];
  /** What changes when it runs hardened, for MIGRATION.md. */
  readonly note: string;
}

export const IMAGE_KNOWLEDGE: readonly ImageKnowledge[] = [
  {
    repository: 'nginx',
    port: 80,
    nonRoot: { repository: 'nginxinc/nginx-unprivileged', port: 8080, extraPorts: { 443: 8443 } },
    writablePaths: ['/var/cache/nginx', '/var/run'],
    dataPaths: [],
    health: ['curl', '-fsS', '-o', '/dev/null', 'http://127.0.0.1:8080/'],
    note: 'the official nginx image starts as root to bind port 80; nginxinc/nginx-unprivileged (same versions) runs as a non-root user on 8080 and writes only /var/cache/nginx, /var/run and /tmp',
  },
  {
    repository: 'httpd',
    port: 80,
    writablePaths: ['/usr/local/apache2/logs'],
    dataPaths: [],
    note: 'httpd listens on 80 by default: set `Listen 8080` in httpd.conf (a ConfigMap) to run as non-root; it writes its pid file under /usr/local/apache2/logs',
  },
  {
    repository: 'postgres',
    engine: 'postgres',
    port: 5432,
    writablePaths: ['/var/run/postgresql'],
    dataPaths: ['/var/lib/postgresql/data'],
    health: ['pg_isready', '--host', '127.0.0.1'],
    note: 'the StatefulDatabase postgres preset runs the official image as UID 10001 with the socket directory and /dev/shm writable',
  },
  {
    repository: 'mysql',
    engine: 'mysql',
    port: 3306,
    writablePaths: ['/var/run/mysqld', '/var/lib/mysql-files'],
    dataPaths: ['/var/lib/mysql'],
    health: ['mysqladmin', 'ping', '--host=127.0.0.1'],
    note: 'the StatefulDatabase mysql preset runs the official image as UID 10001; the data directory is a subdirectory of the claim',
  },
  {
    repository: 'mariadb',
    engine: 'mariadb',
    port: 3306,
    writablePaths: ['/run/mysqld'],
    dataPaths: ['/var/lib/mysql'],
    health: ['healthcheck.sh', '--connect', '--innodb_initialized'],
    note: 'the StatefulDatabase mariadb preset runs the official image as UID 10001',
  },
  {
    repository: 'redis',
    engine: 'redis',
    port: 6379,
    writablePaths: [],
    dataPaths: ['/data'],
    health: ['redis-cli', 'ping'],
    note: 'the StatefulDatabase redis preset requires a password (requirepass): clients must send it',
  },
  {
    repository: 'mongo',
    engine: 'mongo',
    port: 27017,
    writablePaths: ['/data/configdb'],
    dataPaths: ['/data/db'],
    health: ['mongosh', '--quiet', '--eval', 'db.adminCommand({ ping: 1 })'],
    note: 'MongoDB runs as a custom engine (no preset): review its probes and plan backups (mongodump)',
  },
  {
    repository: 'rabbitmq',
    port: 5672,
    writablePaths: ['/var/lib/rabbitmq', '/var/log/rabbitmq'],
    dataPaths: ['/var/lib/rabbitmq'],
    health: ['rabbitmq-diagnostics', '-q', 'ping'],
    note: 'RabbitMQ writes its Erlang cookie and database under /var/lib/rabbitmq (HOME); the management UI listens on 15672',
  },
  {
    repository: 'elasticsearch',
    port: 9200,
    writablePaths: ['/usr/share/elasticsearch/logs', '/usr/share/elasticsearch/config'],
    dataPaths: ['/usr/share/elasticsearch/data'],
    health: ['curl', '-fsS', 'http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=5s'],
    note: 'Elasticsearch writes its keystore under config/ at start, needs discovery.type=single-node (or a cluster), and vm.max_map_count=262144 on the node',
  },
  {
    repository: 'grafana/grafana',
    port: 3000,
    writablePaths: ['/var/lib/grafana'],
    dataPaths: ['/var/lib/grafana'],
    health: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:3000/api/health'],
    note: 'Grafana runs as any UID when /var/lib/grafana (its SQLite database and plugins) is writable',
  },
  {
    repository: 'grafana',
    port: 3000,
    writablePaths: ['/var/lib/grafana'],
    dataPaths: ['/var/lib/grafana'],
    health: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:3000/api/health'],
    note: 'Grafana runs as any UID when /var/lib/grafana (its SQLite database and plugins) is writable',
  },
  {
    repository: 'prom/prometheus',
    port: 9090,
    writablePaths: ['/prometheus'],
    dataPaths: ['/prometheus'],
    health: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9090/-/healthy'],
    note: 'Prometheus writes its TSDB under /prometheus; it already runs as a non-root user (nobody)',
  },
  {
    repository: 'wordpress',
    port: 80,
    writablePaths: ['/var/www/html', '/var/run/apache2', '/var/lock/apache2'],
    dataPaths: ['/var/www/html'],
    note: 'the Apache variant of wordpress binds port 80 as root: configure Apache to listen on 8080 (ports.conf) or use the fpm variant behind a web server; it writes /var/www/html (copied in at first start) and /var/run/apache2',
  },
];

const BY_REPOSITORY = new Map(IMAGE_KNOWLEDGE.map((k) => [k.repository, k]));

/** The knowledge about an image reference (Docker Hub official images and the listed ones), if any. */
export function knowledgeOf(image: string | undefined): ImageKnowledge | undefined {
  if (typeof image !== 'string') return undefined;
  const ref = parseImageReference(image.trim());
  if (!ref || ref.registry !== 'docker.io') return undefined;
  return BY_REPOSITORY.get(ref.repository.replace(/^library\//, ''));
}
