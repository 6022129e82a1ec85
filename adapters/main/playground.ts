import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  isoWeekOf,
  policyOnCallRefs,
  type AlertEvent,
  type AlertPublisher,
  type AuditEvent,
  type ChatNotifier,
  type DomainEvent,
} from '../../src';
import { loadDemoSeed, startAwsEmulator } from '../local/aws-emulator';
import { startEmbeddedDynamo } from '../local/embedded-dynamodb';
import {
  installKeylessInTeams,
  seedTeams,
  startPlaygroundPage,
  type AlertLine,
  type AuditLine,
} from '../local/playground';
import { startPagerDutyLoopback } from '../local/pagerduty';
import { startSlackWorkspace } from '../local/slack-workspace';
import { startTeamsConnector } from '../local/teams-connector';
import { DEFAULT_SESSION_CUT_PREFIX, LOCAL_ORGANIZATION_ROOT_ID, type KeylessConfig } from './config';
import { startKeyless, type Keyless, type StartOverrides } from './compose';
import { assertLocalStaysLocal } from './server';

export interface Playground {
  keyless: Keyless;
  /** The playground page (what `npm start` prints). */
  url: string;
  awsUrl: string;
  dynamoUrl: string;
  slackUrl: string;
  teamsUrl: string;
  stop(): Promise<void>;
}

const external = (url: string) => ({ url, stop: () => Promise.resolve() });

/** Reconcile often in the playground, so that an assignment made behind keyless' back shows up quickly. */
const PLAYGROUND_RECONCILE_MS = 10_000;

/**
 * Remembers which requests and grants keyless spoke about, and the security alerts it raised, so
 * that the page can show the audit trail (read from keyless' store) and the alerts.
 */
class PlaygroundRecorder implements ChatNotifier, AlertPublisher {
  readonly subjects = new Map<string, AuditEvent['subject']>();
  private readonly lines: (AlertLine & { key?: string })[] = [];

  get alerts(): AlertLine[] {
    return this.lines.map(({ at, title, detail }) => ({ at, title, detail }));
  }

  private add(line: AlertLine & { key?: string }): void {
    // One line per alert: a repeat or a change replaces it (the chat message is updated in place too).
    const at = line.key ? this.lines.findIndex((l) => l.key === line.key) : -1;
    if (at >= 0) this.lines.splice(at, 1);
    this.lines.unshift(line);
    this.lines.splice(50);
  }

  async publish(event: DomainEvent): Promise<void> {
    const remember = (kind: 'request' | 'grant', id: string | undefined) => {
      if (!id) return;
      this.subjects.delete(`${kind}#${id}`);
      this.subjects.set(`${kind}#${id}`, { kind, id });
      while (this.subjects.size > 40) this.subjects.delete(this.subjects.keys().next().value!);
    };
    if ('request' in event) remember('request', event.request.id);
    if ('grant' in event) remember('grant', event.grant.id);
    if (event.type === 'break_glass_used') {
      this.add({ at: Date.now(), title: 'break-glass used', detail: event.grant.id });
    } else if (event.type === 'revocation_stuck') {
      this.add({ at: Date.now(), title: 'revocation stuck', detail: event.message });
    }
  }

  /** The security feed's alerts (drift, keys, root), as posted to the security channels. */
  async publishAlert(event: AlertEvent): Promise<void> {
    if (!('alert' in event)) return;
    const { finding, dedupeKey, occurrences, status, lastSeenAt } = event.alert;
    const seen = occurrences > 1 ? ` · ${occurrences} times` : '';
    this.add({
      key: dedupeKey,
      at: lastSeenAt,
      title: finding.title,
      detail: `${finding.account.name} (${finding.account.id}) · ${status}${seen}`,
    });
  }
}

/**
 * The playground ends the live sessions of early-ended grants unless KEYLESS_SESSION_CUT=off: the
 * emulator's organization root takes keyless's policies, so the live-session panel shows a session
 * that outlives its assignment and then stops working once keyless cuts it.
 */
export function playgroundSessionCut(config: KeylessConfig): Pick<KeylessConfig, 'sessionCut'> {
  if (config.sessionCut) return { sessionCut: config.sessionCut };
  if (config.sessionCutOff) return {};
  return { sessionCut: { targets: [LOCAL_ORGANIZATION_ROOT_ID], prefix: DEFAULT_SESSION_CUT_PREFIX } };
}

/**
 * `npm start` with no accounts: the embedded DynamoDB on disk, the local AWS emulator with the demo
 * organization, a loopback Slack workspace and Teams connector with the demo people, the real
 * keyless server (its Slack and Teams adapters talking to them over HTTP), and the playground page,
 * all on 127.0.0.1 in one process. The AWS SDK reaches the emulators through its standard endpoint
 * settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB); where one is already set (an emulator in
 * its own process, as the crash harness runs), it is used and nothing is started for it.
 */
export async function startPlayground(
  config: KeylessConfig,
  overrides: StartOverrides & { ephemeral?: boolean } = {},
): Promise<Playground> {
  // Before anything starts: the loopback Teams connector is unauthenticated and the page acts as anyone.
  assertLocalStaysLocal(config.host, 'local mode (the playground)');
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const dynamo = process.env.AWS_ENDPOINT_URL_DYNAMODB
      ? external(process.env.AWS_ENDPOINT_URL_DYNAMODB)
      : await startEmbeddedDynamo(
          overrides.ephemeral ? {} : { path: join(config.dataDir, 'dynamodb'), lock: config.dataDir },
        );
    stops.push(() => dynamo.stop());
    const aws = process.env.AWS_ENDPOINT_URL
      ? external(process.env.AWS_ENDPOINT_URL)
      : await startAwsEmulator({ seed: loadDemoSeed() });
    stops.push(() => aws.stop());
    process.env.AWS_ENDPOINT_URL = aws.url;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.url;
    process.env.AWS_REGION ??= config.policy.identityCenter.region;
    // The emulators accept any signature; the SDK still wants credentials to sign with.
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIAPLAYGROUND000000';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'playground';

    // The loopback chats. A fresh signing secret each start: only this process can sign for Slack.
    const slackChannels = {
      approvals: config.policy.channels.slack?.approvals ?? 'C0APPROVALS',
      security: config.policy.channels.slack?.security ?? 'C0SECURITY',
    };
    const teamsChannels = {
      approvals: config.policy.channels.teams?.approvals ?? '19:approvals@thread.tacv2',
      security: config.policy.channels.teams?.security ?? '19:security@thread.tacv2',
    };
    const slackCredentials = {
      signingSecret: config.slack?.signingSecret ?? randomBytes(24).toString('hex'),
      botToken: config.slack?.botToken ?? `xoxb-playground-${randomBytes(12).toString('hex')}`,
      ...(config.slack?.appToken ? { appToken: config.slack.appToken } : {}),
    };
    const workspace = await startSlackWorkspace({ ...slackCredentials });
    stops.push(() => workspace.stop());
    const connector = await startTeamsConnector();
    stops.push(() => connector.stop());
    seedTeams(connector, teamsChannels);

    // A loopback PagerDuty with every schedule the policy names (nobody on call until the page says).
    const pagerDuty = config.pagerDuty
      ? undefined
      : await startPagerDutyLoopback({
          token: `pd-playground-${randomBytes(12).toString('hex')}`,
          schedules: policyOnCallRefs(config.policy).map((ref) => ({
            id: ref.slice('pagerduty:'.length),
            name: `${ref.slice('pagerduty:'.length)} (loopback)`,
          })),
        });
    if (pagerDuty) stops.push(() => pagerDuty.stop());
    const pagerDutyToken = pagerDuty ? pagerDuty.token : undefined;

    const recorder = new PlaygroundRecorder();
    // The page takes KEYLESS_PORT (it is what a person opens); keyless itself, reached only by the
    // loopback Slack and Teams, listens on a free port of the same host.
    const playgroundConfig: KeylessConfig = {
      ...config,
      port: 0,
      // The loopback workspace and tenant are the ones served, whatever else the environment lists.
      slack: { ...slackCredentials, allowedTeamIds: [workspace.state.team.id] },
      teams: {
        ...(config.teams ?? { appType: 'MultiTenant', authDisabled: true }),
        allowedTenantIds: [connector.world.tenantId],
      },
      reconcileEveryMs: process.env.KEYLESS_RECONCILE_EVERY ? config.reconcileEveryMs : PLAYGROUND_RECONCILE_MS,
      ...(pagerDuty && pagerDutyToken ? { pagerDuty: { token: pagerDutyToken, apiUrl: pagerDuty.url } } : {}),
      ...playgroundSessionCut(config),
    };
    const keyless = await startKeyless(playgroundConfig, {
      createTable: true,
      ...overrides,
      notifiers: [recorder, ...(overrides.notifiers ?? [])],
      alertPublishers: [recorder, ...(overrides.alertPublishers ?? [])],
      slackApiUrl: workspace.apiUrl,
      teamsServiceUrl: `${connector.url}/`,
    });
    stops.push(() => keyless.stop());
    workspace.client.botUrl = `${keyless.url}/slack/events`;
    connector.setBotUrl(`${keyless.url}/api/messages`);
    await installKeylessInTeams(connector, teamsChannels);

    const audit = async (): Promise<AuditLine[]> => {
      const trails = await Promise.all([...recorder.subjects.values()].map((s) => keyless.store.listAudit(s)));
      return trails
        .flat()
        .map((e) => ({
          at: e.at,
          subject: `${e.subject.kind} ${e.subject.id}`,
          event: e.event,
          from: e.from,
          to: e.to,
          actor: e.actor.name,
          ...(e.reason ? { reason: e.reason } : {}),
        }))
        .sort((a, b) => b.at - a.at)
        .slice(0, 60);
    };
    const page = await startPlaygroundPage({
      host: config.host,
      port: config.port,
      slackUrl: workspace.url,
      teamsUrl: connector.url,
      awsUrl: aws.url,
      keylessUrl: keyless.url,
      identityCenter: config.policy.identityCenter,
      channels: { slack: slackChannels, teams: teamsChannels },
      ...(pagerDuty && pagerDutyToken ? { pagerDuty: { url: pagerDuty.url, token: pagerDutyToken } } : {}),
      sources: {
        audit,
        alerts: () => recorder.alerts,
        // The weekly duty at once; like in production, once per ISO week (the snapshot item says).
        postPosture: async () => {
          const posted = await keyless.alerts.postWeeklyPosture();
          return { posted: posted !== undefined, week: isoWeekOf(Date.now()) };
        },
        scanNow: async () => {
          const r = await keyless.alerts.scanAll();
          return { findings: r.findings, raised: r.raised, resolved: r.resolved };
        },
      },
    });
    stops.push(() => page.stop());

    return {
      keyless,
      url: page.url,
      awsUrl: aws.url,
      dynamoUrl: dynamo.url,
      slackUrl: workspace.url,
      teamsUrl: connector.url,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
