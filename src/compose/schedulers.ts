/**
 * Processes that must run exactly once: a second copy runs every scheduled job twice. Compose
 * files run them as one container; converted with the default of several replicas, they would
 * duplicate work (two `celery beat` send every periodic task twice). An allow-list of well-known
 * schedulers, matched on the command line's words.
 */

export interface SingletonScheduler {
  /** What was recognised, for messages. */
  readonly name: string;
  /** Why one copy only (becomes the reason of `relaxations.singleReplica`). */
  readonly reason: string;
  /** What to consider instead, when there is a native alternative. */
  readonly instead?: string;
}

const base = (w: string) => w.slice(w.lastIndexOf('/') + 1).toLowerCase();

/** The words of a command line, `sh -c '…'` strings split on whitespace (for recognition only). */
function words(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    if (['sh', 'bash', 'ash', 'dash'].includes(base(w)) && argv[i + 1] === '-c' && typeof argv[i + 2] === 'string') {
      out.push(...argv[i + 2].split(/[\s;&|()]+/).filter(Boolean));
      i += 2;
    } else {
      out.push(w);
    }
  }
  return out;
}

/** Init wrappers in front of the program (`tini --`, `dumb-init`, `exec`, `gosu user`, `su-exec user`). */
const WRAPPERS = new Set(['exec', 'tini', 'tini-static', 'dumb-init', '--', '-s', '-g', '--single-child']);

/** The program a command line runs, after init wrappers. */
function programOf(names: readonly string[]): string | undefined {
  for (let i = 0; i < names.length; i++) {
    if (WRAPPERS.has(names[i])) continue;
    if (names[i] === 'gosu' || names[i] === 'su-exec') {
      i++; // the user
      continue;
    }
    return names[i];
  }
  return undefined;
}

/** The scheduler a command line starts, if it is one that must run once. */
export function singletonScheduler(argv: readonly string[] | undefined): SingletonScheduler | undefined {
  if (!argv?.length) return undefined;
  const w = words(argv);
  const names = w.map(base);
  const program = programOf(names);
  const celery = names.indexOf('celery');
  if (names.includes('celerybeat') || (celery >= 0 && (names.slice(celery + 1).includes('beat')
    || (names.slice(celery + 1).includes('worker') && w.slice(celery + 1).some((x) => x === '-B' || x === '--beat'))))) {
    return {
      name: 'celery beat',
      reason: 'celery beat is the periodic task scheduler: a second copy sends every scheduled task twice (Celery documentation, Periodic Tasks: only one scheduler per schedule)',
    };
  }
  if (program === 'rqscheduler' || program === 'rq-scheduler') {
    return { name: 'rq-scheduler', reason: 'rq-scheduler enqueues scheduled jobs: a second copy enqueues each of them twice' };
  }
  if (program === 'cron' || program === 'crond' || program === 'supercronic') {
    return {
      name: 'cron',
      reason: 'a cron daemon runs every job of its crontab: a second copy runs each job twice',
      instead: 'a Kubernetes CronJob per crontab line (scheduled by the cluster, with history and concurrencyPolicy)',
    };
  }
  if (names.includes('artisan') && names.some((n) => n === 'schedule:work' || n === 'schedule:run')) {
    return { name: 'Laravel scheduler', reason: "Laravel's scheduler runs each scheduled command in every copy unless each is marked onOneServer() with a shared cache" };
  }
  if (program === 'clockwork' || (names[0] === 'bundle' && names[1] === 'exec' && names[2] === 'clockwork')) {
    return { name: 'clockwork', reason: 'clockwork runs every event it defines in each process: a second copy runs each event twice' };
  }
  return undefined;
}
