import { silentLogger } from '../../../../src';
import { countingLogger, KeylessMetrics } from '../../../../adapters/main/metrics';

describe('metrics', () => {
  it('counts warnings and errors that carry a code, with the platform of the logger that wrote them', async () => {
    const metrics = new KeylessMetrics();
    const logger = countingLogger(silentLogger, metrics);
    logger.warn({ code: 'THROTTLED' }, 'assignment will be retried');
    logger.warn({ code: 'THROTTLED' }, 'assignment will be retried');
    logger
      .child({ platform: 'slack' })
      .error({ err: Object.assign(new Error('x'), { code: 'ratelimited' }) }, 'chat call failed');
    logger.error({}, 'no code: not counted');
    logger.info({ code: 'IGNORED' }, 'info is not counted');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^keyless_errors_total\{code="THROTTLED",level="warn",platform="none"\} 2$/m);
    expect(text).toMatch(/^keyless_errors_total\{code="ratelimited",level="error",platform="slack"\} 1$/m);
    expect(text).not.toMatch(/IGNORED/);
  });

  it('reports the active grants from the store at scrape time', async () => {
    const metrics = new KeylessMetrics();
    metrics.watchStore({ listGrants: async () => [{}, {}] as never });
    expect(await metrics.registry.metrics()).toMatch(/^keyless_active_grants 2$/m);
  });
});
