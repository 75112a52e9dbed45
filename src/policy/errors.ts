import { formatFindingsText } from './report';
import { Finding } from './types';

/** Thrown when emitted objects violate the policy; nothing has been written or registered. */
export class PolicyViolationError extends Error {
  constructor(public readonly findings: readonly Finding[], public readonly failures: readonly Finding[], what = 'Synthesis refused') {
    super(`${what}: ${failures.length} policy violation${failures.length === 1 ? '' : 's'} (nothing was written)\n${formatFindingsText(failures)}`);
    this.name = 'PolicyViolationError';
  }
}
