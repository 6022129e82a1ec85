import * as activityCards from '../../../../../adapters/teams/cards/activity.card';
import * as alertCards from '../../../../../adapters/teams/cards/alert.card';
import * as approvalCards from '../../../../../adapters/teams/cards/approval.card';
import * as bundleCards from '../../../../../adapters/teams/cards/bundle.card';
import type { AdaptiveCard } from '../../../../../adapters/teams/cards/card';
import * as homeCards from '../../../../../adapters/teams/cards/home.card';
import * as journeyCards from '../../../../../adapters/teams/cards/journey.card';
import * as messageCards from '../../../../../adapters/teams/cards/messages.card';
import * as formCards from '../../../../../adapters/teams/cards/request-form.card';
import { summariseActivity, type AccessRequest, type BundleView, type Grant } from '../../../../../src';
import { aDigest, alertScenarios, RENDER_NOW } from '../../../../builders/alert-scenarios';
import { ADMIN, READONLY, T0, aChatUser, aGrant, aRequest, anAccount } from '../../../../builders';
import { adaptiveCardProblems } from '../../../../support/adaptive-card-check';

const rita = aChatUser({ platform: 'teams', id: 'aad-rita', displayName: 'Rita <b>', timeZone: 'Europe/Paris' });
const bob = { kind: 'user' as const, id: 'teams:aad-bob', name: 'Bob' };
const keyless = { kind: 'system' as const, id: 'provisioner', name: 'provisioner' };
const active: Grant = {
  ...aGrant({ id: 'grt-active-1' as never, requester: rita }),
  status: 'active',
  activatedAt: T0,
  expiresAt: T0 + 2 * 3600_000,
};
const revoked: Grant = { ...active, status: 'revoked', endedAt: T0 + 3600_000, endedBy: bob, endReason: 'revoked' };
const failed: Grant = { ...active, status: 'failed', failure: { code: 'ConflictException', message: 'quota' } };
const scheduled: Grant = {
  ...active,
  status: 'scheduled',
  startsAt: T0 + 86_400_000,
  activatedAt: undefined,
  expiresAt: undefined,
};
const summaryOf = (final: boolean, truncated: boolean) =>
  summariseActivity({
    lookup: {
      events: [
        { eventName: 'DeleteBucket', eventSource: 's3.amazonaws.com', eventTime: T0, region: 'eu-west-1' },
        {
          eventName: 'ListBuckets',
          eventSource: 's3.amazonaws.com',
          eventTime: T0,
          region: 'eu-west-1',
          readOnly: true,
        },
        {
          eventName: 'Put[x](y)*',
          eventSource: 'a_b.amazonaws.com',
          eventTime: T0,
          region: 'us-east-1',
          errorCode: 'AccessDenied',
        },
      ],
      regions: ['eu-west-1', 'us-east-1'],
      truncated,
      unavailable: truncated ? [{ region: 'ap-south-1', message: 'AccessDeniedException: <b>no</b>' }] : [],
    },
    accountId: '111111111111',
    username: 'rita@example.com',
    from: T0,
    to: T0 + 3600_000,
    fetchedAt: T0 + 3900_000,
    final,
  });
const withActivity: Grant = { ...revoked, activity: { step: 1, summary: summaryOf(false, false), dueAt: T0 + 1 } };
const pending: AccessRequest = aRequest({ requester: rita, approvalsRequired: 2 });
const halfway: AccessRequest = {
  ...pending,
  approvals: [{ actor: bob, principalId: 'p-bob', at: T0 } as AccessRequest['approvals'][number]],
};
const denied: AccessRequest = { ...pending, status: 'denied', denial: { actor: bob, at: T0, reason: 'not now' } };
const approved: AccessRequest = { ...halfway, status: 'approved', approvalsRequired: 1 };
const accounts = [
  anAccount(),
  anAccount({ id: '222222222222' as never, name: 'sandbox', ouNames: ['Root', 'Sandbox'] }),
];
const options = [
  { permissionSet: { arn: ADMIN, name: 'AdministratorAccess', sessionDurationSeconds: 3600 }, maxSeconds: 14400 },
  { permissionSet: { arn: READONLY, name: 'ReadOnlyAccess', sessionDurationSeconds: 3600 }, maxSeconds: 28800 },
];
const form = { formId: 'form-0001-abcd', breakGlass: false };
const alerts = alertScenarios();
const bundlePending: BundleView = {
  id: 'bundle-0001',
  requests: [pending, { ...halfway, id: 'req-00002' as never, accountName: 'payments' }],
  grants: [],
  refused: [{ accountId: '444444444444' as never, accountName: 'staging <b>', why: 'no rule lets you request it' }],
};
const bundleLive: BundleView = {
  ...bundlePending,
  requests: [
    { ...approved, grantId: active.id },
    { ...approved, id: 'req-00002' as never, grantId: 'grt-active-2' as never },
    { ...approved, id: 'req-00003' as never, grantId: failed.id },
  ],
  grants: [
    active,
    { ...active, id: 'grt-active-2' as never, accountName: 'payments' },
    { ...failed, id: 'grt-failed' as never },
  ],
};

/** Every renderer of the Teams adapter, in the states it is drawn in. */
const rendered: Record<string, AdaptiveCard[]> = {
  approvalCard: (['base', 'approver', 'already_approved', 'requester', 'observer'] as const).flatMap((kind) => [
    approvalCards.approvalCard(pending, { kind }, { refreshUserIds: ['29:aad-bob'] }),
    approvalCards.approvalCard(halfway, { kind }, { notice: { text: 'Recorded', tone: 'good' } }),
    approvalCards.approvalCard(denied, { kind }),
    approvalCards.approvalCard(approved, { kind }, { grant: active }),
    approvalCards.approvalCard(approved, { kind }, { grant: withActivity }),
  ]),
  grantActivityCard: [
    activityCards.grantActivityCard(revoked, summaryOf(false, false), true),
    activityCards.grantActivityCard(revoked, summaryOf(true, true), false),
  ],
  denyForm: [approvalCards.denyForm(pending.id), approvalCards.denyForm(pending.id, homeCards.HOME_VIEW)],
  homeCard: [
    homeCards.homeCard({ grants: [], requests: [], approvals: [] }),
    homeCards.homeCard({
      grants: [active, { ...active, id: 'grt-ending-1' as never, status: 'deprovisioning' }],
      requests: [halfway],
      approvals: [pending],
      zone: 'Europe/Paris',
      notice: { text: 'Your approval is recorded (1 of 2).', tone: 'good' },
      problem: 'nothing',
    }),
  ],
  requestStatusCard: [pending, halfway, approved, denied].map((r) => journeyCards.requestStatusCard(r)),
  extendForm: [journeyCards.extendForm(active.id), journeyCards.extendForm(active.id, homeCards.HOME_VIEW)],
  grantCard: [active, revoked, failed, { ...active, status: 'provisioning' } as Grant].map((g) =>
    journeyCards.grantCard(g, 'Europe/Paris', 'notice'),
  ),
  grantActiveCard: [journeyCards.grantActiveCard(active)],
  grantReminderCard: [
    journeyCards.grantReminderCard(active, T0 + 3600_000),
    journeyCards.grantReminderCard(revoked, T0),
  ],
  grantExtendedCard: [
    journeyCards.grantExtendedCard(active, keyless, { addSeconds: 3600, capped: false }),
    journeyCards.grantExtendedCard(active, bob, { addSeconds: 0, capped: true }),
  ],
  grantEndedCard: [journeyCards.grantEndedCard(revoked), journeyCards.grantEndedCard({ ...active, status: 'expired' })],
  grantFailedCard: [journeyCards.grantFailedCard(failed)],
  grantScheduledCard: [
    journeyCards.grantScheduledCard(scheduled, 'Europe/Paris'),
    journeyCards.grantScheduledCard(scheduled, undefined, 'Approved by <b>Bob</b>'),
  ],
  breakGlassCard: [journeyCards.breakGlassCard(active, pending)],
  driftCard: [
    journeyCards.driftCard({
      kind: 'outlived_grant',
      assignment: { accountId: '111111111111', permissionSetArn: ADMIN, principalId: 'p-1', principalType: 'USER' },
      grantId: active.id,
      removed: true,
      detectedAt: T0,
    } as never),
  ],
  revocationStuckCard: [journeyCards.revocationStuckCard(active, 3, 'AccessDenied')],
  policyRefusedCard: [journeyCards.policyRefusedCard('s3://bucket/policy.yaml', ['rule 1: bad'])],
  helpCard: [messageCards.helpCard()],
  problemCard: [messageCards.problemCard('bad', 'help')],
  infoCard: [messageCards.infoCard('ok')],
  listCard: [
    messageCards.listCard({ grants: [], requests: [] }),
    messageCards.listCard({ grants: [active], requests: [pending] }, 'Europe/Paris'),
  ],
  accountsCard: [messageCards.accountsCard('', accounts), messageCards.accountsCard('zzz', [])],
  noApprovalsCard: [messageCards.noApprovalsCard()],
  accountStepCard: [
    formCards.accountStepCard(accounts, form),
    formCards.accountStepCard(accounts, { ...form, breakGlass: true, notice: 'x' }, '222222222222'),
    formCards.accountStepCard(accounts, { ...form, groups: [{ name: 'db-admins <b>', maxSeconds: 7200 }] }),
  ],
  groupStepCard: [
    formCards.groupStepCard({ name: 'db-admins', maxSeconds: 7200 }, form),
    formCards.groupStepCard(
      { name: 'db-admins <b>', maxSeconds: 3600 },
      { ...form, notice: 'A group membership starts when it is approved.' },
      { duration: '1h', reason: 'r', ticket: 'OPS-1' },
    ),
  ],
  detailsStepCard: [
    formCards.detailsStepCard(accounts[0]!, options, form),
    formCards.detailsStepCard(accounts[0]!, [], form),
    formCards.detailsStepCard(accounts[0]!, options.slice(0, 1), { ...form, breakGlass: true }, { reason: 'r' }),
    formCards.detailsStepCard(
      accounts[0]!,
      options,
      { ...form, zone: 'Europe/Paris' },
      { startDate: '2026-12-24', startTime: '09:00', duration: '1h' },
    ),
  ],
  alertCard: Object.values(alerts).map((a) => alertCards.alertCard(a, RENDER_NOW)),
  alertRepeatCard: Object.values(alerts).map((a) => alertCards.alertRepeatCard(a, a.finding)),
  digestCard: [alertCards.digestCard(aDigest(Object.values(alerts)), Object.values(alerts), RENDER_NOW)],
  rotationCard: (['waiting_new_key', 'ready_to_deactivate', 'ready_to_delete', 'rolled_back', 'deleted'] as const).map(
    (step) =>
      alertCards.rotationCard(
        {
          ...alerts.stale!,
          rotation: {
            step,
            startedAt: RENDER_NOW,
            deletion: { status: step === 'deleted' ? 'done' : 'none' },
            messages: [],
            checkedAt: RENDER_NOW,
            oldKeyLastUsedAt: RENDER_NOW - 86_400_000,
            newKey: { accessKeyId: 'AKIANEWKEY0000009999', createdAt: RENDER_NOW, lastUsedAt: RENDER_NOW },
          },
        } as never,
        RENDER_NOW,
      ),
  ),
  approverReminderCard: [journeyCards.approverReminderCard(pending)],
  onCallAutoApprovedCard: [
    journeyCards.onCallAutoApprovedCard({ ...approved, onCallSchedule: 'pagerduty:PABC123' } as AccessRequest),
  ],
  sessionCutFailedCard: [journeyCards.sessionCutFailedCard('The policies are full <b>', 12)],
  bundleApprovalCard: [
    bundleCards.bundleApprovalCard(bundlePending, 'Europe/Paris'),
    bundleCards.bundleApprovalCard(bundleLive, undefined, 'Your approval counts for prod.'),
  ],
  bundleRequesterCard: [
    bundleCards.bundleRequesterCard(bundlePending),
    bundleCards.bundleRequesterCard(bundleLive, 'Europe/Paris', 'Ending your access now.'),
  ],
  bundleReplyCard: [
    bundleCards.bundleReplyCard({
      bundleId: 'bundle-0001',
      requests: [
        { accountName: 'prod', accountId: '111111111111', status: 'pending', approvalsRequired: 2, rule: 'r' },
      ],
      refused: [{ accountName: 'staging', accountId: '444444444444', why: 'no rule <b>' }],
      duplicate: false,
    }),
  ],
};

/** Exported functions of the card modules that are helpers, not cards. */
const NOT_RENDERERS = new Set([
  'cardDate',
  'alertActions',
  'seenText',
  'requestStatusLine',
  'grantStatusLine',
  'actorName',
  'pendingFacts',
  'homeGrantLine',
  'accountChoice',
  'escalationTexts',
  'activityElements',
]);

describe("every Teams card passes Microsoft's Adaptive Cards parser", () => {
  test('the list below covers every renderer the card modules export', () => {
    const modules = [
      activityCards,
      alertCards,
      approvalCards,
      homeCards,
      journeyCards,
      messageCards,
      formCards,
      bundleCards,
    ];
    const renderers = modules
      .flatMap((m) => Object.entries(m))
      .filter(([name, value]) => typeof value === 'function' && !NOT_RENDERERS.has(name))
      .map(([name]) => name)
      .sort();
    expect(Object.keys(rendered).sort()).toEqual(renderers);
  });

  test.each(Object.entries(rendered))('%s: no unknown element or action, nothing invalid', (_name, cards) => {
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) expect(adaptiveCardProblems(card)).toEqual([]);
  });

  test('the check fails a card with an element or an action Teams does not know', () => {
    const card = messageCards.infoCard('ok');
    expect(adaptiveCardProblems({ ...card, body: [...card.body, { type: 'Input.Slider', id: 'x' }] })).toEqual([
      expect.stringContaining('Unknown element type "Input.Slider"'),
    ]);
    expect(adaptiveCardProblems({ ...card, actions: [{ type: 'Action.Run', title: 'Go' }] })).toEqual([
      expect.stringContaining('Unknown action type "Action.Run"'),
    ]);
    expect(
      adaptiveCardProblems({
        ...card,
        body: [
          { type: 'Input.Text', id: 'same' },
          { type: 'Input.Text', id: 'same' },
        ],
      }),
    ).not.toEqual([]);
  });

  test('no card names an internal component of keyless', () => {
    for (const cards of Object.values(rendered)) {
      for (const card of cards) expect(JSON.stringify(card)).not.toMatch(/provisioner|sweeper|scheduler/i);
    }
  });
});
