import type { IdGenerator } from '../../src';

/** Ids in order; replicas sharing one store each take their own `prefix`, as random ids never collide. */
export class SequentialIds implements IdGenerator {
  private n = 0;
  constructor(private readonly prefix = '') {}
  next(kind: 'request' | 'grant'): string {
    return `${kind === 'request' ? 'req' : 'grt'}${this.prefix}${String(++this.n).padStart(6, '0')}`;
  }
}
