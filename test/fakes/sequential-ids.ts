import type { IdGenerator } from '../../src';

export class SequentialIds implements IdGenerator {
  private n = 0;
  next(kind: 'request' | 'grant'): string {
    return `${kind === 'request' ? 'req' : 'grt'}${String(++this.n).padStart(6, '0')}`;
  }
}
