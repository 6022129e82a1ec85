import { foreignTenantText, isServedTenant, tenantIdsOf } from '../../../../adapters/teams/teams-bot';

const T1 = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const T2 = '0f0f0f0f-1111-4222-8333-444444444444';

describe('which Teams tenants are served', () => {
  it('reads the tenant from conversation.tenantId and channelData.tenant.id', () => {
    expect(tenantIdsOf({ conversation: { tenantId: T1 } as never, channelData: { tenant: { id: T1 } } })).toEqual([T1]);
    expect(tenantIdsOf({ conversation: { tenantId: T1 } as never, channelData: { tenant: { id: T2 } } })).toEqual([
      T1,
      T2,
    ]);
    expect(tenantIdsOf({ conversation: {} as never, channelData: undefined })).toEqual([]);
  });

  it('serves only when a tenant is named and every tenant named is listed', () => {
    const allowed = new Set([T1]);
    expect(isServedTenant(allowed, [T1])).toBe(true);
    expect(isServedTenant(allowed, [T2])).toBe(false);
    expect(isServedTenant(allowed, [T1, T2])).toBe(false);
    expect(isServedTenant(allowed, [])).toBe(false);
    expect(isServedTenant(new Set(), [T1])).toBe(false);
  });

  it('names the refused tenant in its plain form only', () => {
    expect(foreignTenantText([T2])).toContain(`(${T2})`);
    expect(foreignTenantText(['<at>x</at>'])).not.toContain('<');
  });
});
