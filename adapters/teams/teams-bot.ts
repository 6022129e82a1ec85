import { randomUUID } from 'node:crypto';
import { ActivityTypes, type Activity, type TurnContext } from 'botbuilder';
import {
  ErrorCodes,
  KeylessError,
  endedGrantText,
  formatLocalTime,
  formStartProblemText,
  groupNameFromText,
  isKeylessError,
  splitAccountTargets,
  startFromPickers,
  isoWeekOf,
  type AccessRequest,
  type Alert,
  type AlertEngine,
  type AuditAnswer,
  type AuditReader,
  type ChatUser,
  type Engine,
  type Grant,
  type GrantStore,
  type Logger,
  type MessageRefStore,
  type RequestAccessResult,
} from '../../src';
import type { ApprovalViews } from './approval-views';
import { DENY_REASON_MISSING_TEXT, MIN_DENY_REASON_LENGTH, type ApprovalCardOptions } from './cards/approval.card';
import { attachment, type AdaptiveCard } from './cards/card';
import { bundleApprovalCard, bundleReplyCard, bundleRequesterCard } from './cards/bundle.card';
import { homeCard, type HomeState } from './cards/home.card';
import { postureCard } from './cards/posture.card';
import { renderPostureChart } from '../shared/posture-chart';
import { grantCard, requestStatusCard } from './cards/journey.card';
import { accountsCard, helpCard, infoCard, listCard, noApprovalsCard, problemCard } from './cards/messages.card';
import { auditCard, nextAuditWords } from './cards/audit.card';
import {
  AuditExportContextSchema,
  EXPORT_OFFER_TTL_MS,
  FILE_CONSENT_INVOKE,
  FileConsentValueSchema,
  fileConsentCard,
  fileInfoCard,
  uploadBytes,
  uploadUrlAllowed,
  type AuditExportContext,
  type FileConsentValue,
} from './file-consent';
import {
  accountChoice,
  accountStepCard,
  detailsStepCard,
  groupStepCard,
  type DetailsValues,
  type FormContext,
  type GroupChoice,
} from './cards/request-form.card';
import { parseCommand, type Command } from './commands';
import type { ConversationReferences } from './conversation-references';
import type { ConversationPacer } from './pacing';
import { AlertVerbs, isAlertVerb, type AlertVerb } from './alert-verbs';
import {
  ActionData,
  AlertActionData,
  InvokeValueSchema,
  SearchInvokeValueSchema,
  type ActionDataOf,
  type AlertActionDataOf,
} from './payloads';
import type { TeamsRoster } from './roster';
import {
  ACCOUNT_DATASET,
  ADAPTIVE_CARD_ACTION,
  ADAPTIVE_CARD_CONTENT_TYPE,
  MAX_SEARCH_RESULTS,
  SEARCH_INVOKE,
  SEARCH_RESPONSE_CONTENT_TYPE,
  ERROR_CONTENT_TYPE,
  MESSAGE_CONTENT_TYPE,
  INVALID_CARD_ACTION_TEXT,
  isVerb,
  Verbs,
  type Verb,
} from './verbs';

export interface TeamsBotDeps {
  engine: Engine;
  refs: MessageRefStore;
  references: ConversationReferences;
  roster: TeamsRoster;
  views: ApprovalViews;
  pacer: ConversationPacer;
  idempotency: Pick<GrantStore, 'rememberOnce'>;
  logger: Logger;
  now?: () => number;
  newFormId?: () => string;
  /** The security feed, once connected (undefined: alert buttons and `root-window` are refused). */
  alerts?: () => AlertEngine | undefined;
  /** The audit reader, once connected (undefined: `audit` says the audit is not set up). */
  audit?: () => AuditReader | undefined;
  /** Entra ID tenant ids served; an activity from any other tenant is refused in onTurn. */
  allowedTenantIds: readonly string[];
  /**
   * Where an accepted file goes: https only, or also plain http to this machine (local mode, the
   * loopback Teams). `fetch` for tests.
   */
  fileUploads?: { allowLoopbackHttp: boolean; fetch?: typeof fetch; fragmentBytes?: number };
}

/**
 * The tenant ids an activity names: `conversation.tenantId` and `channelData.tenant.id` (Teams
 * sends both). Empty when it names none.
 */
export function tenantIdsOf(activity: Pick<Activity, 'conversation' | 'channelData'>): string[] {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const ids = [activity.conversation?.tenantId, channelData?.tenant?.id].filter(
    (id): id is string => typeof id === 'string' && id.length > 0,
  );
  return [...new Set(ids)];
}

/** Served only when the activity names a tenant and every tenant it names is listed (fail closed). */
export function isServedTenant(allowed: ReadonlySet<string>, tenantIds: readonly string[]): boolean {
  return tenantIds.length > 0 && tenantIds.every((id) => allowed.has(id));
}

const TENANT_ID_SHAPE = /^[0-9a-zA-Z-]{1,64}$/;

/** What a person of another tenant reads; the tenant id is theirs, shown only in its plain form. */
export function foreignTenantText(tenantIds: readonly string[]): string {
  const shown = tenantIds.filter((id) => TENANT_ID_SHAPE.test(id));
  const where = shown.length ? ` (${shown.join(', ')})` : '';
  return `keyless does not serve your Microsoft 365 organization${where}: it grants AWS access only to the tenants its administrators listed. Nothing was done.`;
}

const MAX_APPROVAL_CARDS = 10;
/** The posture names every account's weak spots: shown in a person's 1:1 chat only, never in a channel. */
export const POSTURE_ELSEWHERE_TEXT =
  "The IAM posture is shown in your 1:1 chat with keyless only (it lists every account's weak spots); the weekly post goes to the security channel.";

export const HOME_ELSEWHERE_TEXT =
  'Your home card shows your own access and approvals, so it lives in our 1:1 chat: write "home" to me there.';

type DecideData = {
  requestId: string;
  denyReason?: string | undefined;
  view?: 'status' | 'approval' | 'home' | undefined;
};
/** How long a click on Extend waits for an extension approved by policy to be applied (the card then shows the new end). */
const EXTENSION_WAIT_MS = 3000;

/** What a person sees when something they asked for cannot be done: the problem, then the fix. */
function userMessage(error: unknown): { problem: string; hint?: string } {
  if (isKeylessError(error)) return { problem: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return { problem: 'Something went wrong on my side. Try again in a minute; if it persists, tell your AWS admins.' };
}

/**
 * The bot's turn logic: thin listeners that parse, call one engine use case, and render
 * (convention 9). Text commands answer with cards; Action.Execute invokes answer with the refreshed
 * card in the invoke response, which Teams shows to the person who clicked.
 */
export class TeamsBot {
  private readonly now: () => number;
  private readonly newFormId: () => string;
  private readonly allowedTenants: ReadonlySet<string>;

  constructor(private readonly deps: TeamsBotDeps) {
    this.now = deps.now ?? Date.now;
    this.newFormId = deps.newFormId ?? randomUUID;
    this.allowedTenants = new Set(deps.allowedTenantIds);
  }

  async onTurn(ctx: TurnContext): Promise<void> {
    // Before anything else, on every activity and invoke: only the listed tenants are served. A
    // person elsewhere whose email matches an Identity Center user is never taken for that user.
    const tenantIds = tenantIdsOf(ctx.activity);
    if (!isServedTenant(this.allowedTenants, tenantIds)) return this.refuseTenant(ctx, tenantIds);
    switch (ctx.activity.type) {
      case ActivityTypes.Message:
        return this.onMessage(ctx);
      case ActivityTypes.Invoke:
        return this.onInvoke(ctx);
      case ActivityTypes.ConversationUpdate:
      case ActivityTypes.InstallationUpdate:
        return this.onInstall(ctx);
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- install / first contact

  private async onInstall(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const botAdded =
      a.type === ActivityTypes.InstallationUpdate
        ? a.action === 'add' || a.action === 'add-upgrade'
        : (a.membersAdded ?? []).some((m) => m.id === a.recipient.id);
    if (!botAdded) return;
    const personal = a.conversation?.conversationType === 'personal';
    const person = personal ? await this.deps.roster.whoSent(ctx) : undefined;
    await this.deps.references.remember(a, person?.user);
    this.deps.logger.info(
      { platform: 'teams', conversationType: a.conversation?.conversationType, actor: person?.user.id },
      'keyless installed in a Teams conversation',
    );
    // The first thing a person sees in their 1:1 chat is their home card: access, approvals, buttons.
    if (personal && a.type === ActivityTypes.ConversationUpdate && person) {
      await this.reply(ctx, await this.home(person.user));
    }
  }

  // ---------------------------------------------------------------- text commands

  private async onMessage(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    // Teams redelivers when an answer is slow: the same activity id is handled once.
    const first = await this.deps.idempotency.rememberOnce(
      `teams:activity:${a.conversation.id}:${a.id}`,
      this.now(),
      3600,
    );
    if (!first) return;
    const { user } = await this.deps.roster.whoSent(ctx);
    await this.deps.references.remember(a, user);
    const parsed = parseCommand(a.text);
    if (!parsed.ok) return void (await this.reply(ctx, problemCard(parsed.problem, parsed.example)));
    try {
      await this.runCommand(ctx, user, parsed.command);
    } catch (error) {
      if (!isKeylessError(error)) {
        this.deps.logger.error(
          { err: error, platform: 'teams', actor: user.id, command: parsed.command.name },
          'command failed',
        );
      }
      const { problem, hint } = userMessage(error);
      await this.reply(ctx, problemCard(problem, hint));
    }
  }

  private async runCommand(ctx: TurnContext, user: ChatUser, command: Command): Promise<void> {
    const { engine } = this.deps;
    switch (command.name) {
      case 'help':
        return void (await this.reply(ctx, helpCard()));
      case 'audit':
        return this.showAudit(ctx, user, command.words);
      case 'home':
        // The home card shows a person's own access: only in their 1:1 chat, never in a channel.
        if (ctx.activity.conversation.conversationType !== 'personal') {
          return void (await this.reply(ctx, infoCard(HOME_ELSEWHERE_TEXT)));
        }
        return void (await this.reply(ctx, await this.home(user)));
      case 'list':
        return void (await this.reply(ctx, listCard(await engine.listMine(user), user.timeZone)));
      case 'accounts':
        return void (await this.reply(
          ctx,
          accountsCard(command.filter, await engine.findAccounts(command.filter, 100)),
        ));
      case 'why':
        return void (await this.reply(ctx, infoCard(await engine.explain({ user, ...command }))));
      case 'approvals':
        return this.showApprovals(ctx, user);
      case 'posture': {
        if (ctx.activity.conversation.conversationType !== 'personal') {
          return void (await this.reply(ctx, infoCard(POSTURE_ELSEWHERE_TEXT)));
        }
        const report = await this.alertEngine().posture({ actor: user });
        const week = isoWeekOf(report.generatedAt);
        return void (await this.reply(
          ctx,
          postureCard(report, 'IAM posture now', renderPostureChart(report, week, { compact: true })),
        ));
      }
      case 'root-window': {
        const window = await this.alertEngine().announceRootWindow({
          actor: user,
          account: command.account,
          duration: command.duration,
          reason: command.reason,
        });
        return void (await this.reply(
          ctx,
          infoCard(
            `Root use in ${window.accountId} is announced until ${new Date(window.until).toISOString().slice(0, 16).replace('T', ' ')} UTC: root alerts in this window are marked as expected (they are still posted).`,
          ),
        ));
      }
      case 'revoke': {
        const result = await engine.revoke({
          grantId: command.grantId,
          actor: user,
          ...(command.reason ? { reason: command.reason } : {}),
        });
        const grant = result.grant;
        const ended = result.outcome === 'already_ended' ? endedGrantText(grant, user.timeZone) : undefined;
        return void (await this.reply(
          ctx,
          infoCard(
            ended
              ? `${ended} Grant ${grant.id} (${grant.permissionSetName} on ${grant.accountName}); nothing was changed.`
              : `Ending grant ${grant.id} (${grant.permissionSetName} on ${grant.accountName}) now; I will confirm when the assignment is removed.`,
          ),
        ));
      }
      case 'cancel': {
        const result = await engine.cancel({ requestId: command.requestId, actor: user });
        const card = requestStatusCard(result.request);
        if (result.outcome === 'cancelled') return void (await this.reply(ctx, card));
        return void (await this.reply(
          ctx,
          infoCard(`Request ${result.request.id} was already decided; nothing was changed.`),
        ));
      }
      case 'extend': {
        const result = await engine.extend({
          grantId: command.grantId,
          actor: user,
          duration: command.duration,
          ...(command.reason ? { reason: command.reason } : {}),
          idempotencyKey: `teams:${ctx.activity.id}`,
        });
        return this.replyToRequest(ctx, result);
      }
      case 'request':
      case 'break-glass': {
        const breakGlass = command.name === 'break-glass';
        if (command.form) return void (await this.reply(ctx, await this.newForm(breakGlass, undefined, user)));
        if (command.accounts) {
          const bundle = await engine.requestBundle({
            requester: user,
            accounts: command.accounts,
            permissionSet: command.permissionSet,
            duration: command.duration,
            reason: command.reason,
            ...(command.start ? { start: command.start } : {}),
            idempotencyKey: `teams:${ctx.activity.id}`,
          });
          return void (await this.reply(ctx, bundleReplyCard(bundle)));
        }
        const result = await engine.requestAccess({
          requester: user,
          account: command.account,
          permissionSet: command.permissionSet,
          duration: command.duration,
          reason: command.reason,
          breakGlass,
          ...(command.start ? { start: command.start } : {}),
          idempotencyKey: `teams:${ctx.activity.id}`,
        });
        return this.replyToRequest(ctx, result);
      }
    }
  }

  /** In a 1:1 chat the requester's status card (posted by the notifier) is the answer; elsewhere, a pointer to it. */
  private async replyToRequest(ctx: TurnContext, result: RequestAccessResult): Promise<void> {
    const r = result.request;
    if (result.duplicate) return void (await this.reply(ctx, infoCard(`You already sent this (request ${r.id}).`)));
    if (r.status === 'pending') {
      if (ctx.activity.conversation.conversationType === 'personal') return;
      return void (await this.reply(
        ctx,
        infoCard(
          `Request ${r.id} is with the approvers; I will keep you posted in our 1:1 chat.${result.sessionWarning ? ` ${result.sessionWarning}` : ''}`,
        ),
      ));
    }
    await this.reply(ctx, requestStatusCard(r));
  }

  private async showApprovals(ctx: TurnContext, user: ChatUser): Promise<void> {
    const pending = await this.deps.engine.approvalsFor(user);
    if (pending.length === 0) return void (await this.reply(ctx, noApprovalsCard()));
    for (const request of pending.slice(0, MAX_APPROVAL_CARDS)) {
      const id = await this.reply(ctx, await this.deps.views.card(request, { kind: 'approver' }));
      if (id) {
        await this.deps.refs.addMessageRef(request.id, {
          platform: 'teams',
          channel: ctx.activity.conversation.id,
          messageId: id,
          role: 'approver_dm',
        });
      }
    }
    if (pending.length > MAX_APPROVAL_CARDS) {
      await this.reply(ctx, infoCard(`…and ${pending.length - MAX_APPROVAL_CARDS} more.`));
    }
  }

  /**
   * `audit …`: auditors only, and only in the 1:1 chat (never shown in a channel). One page in a
   * card; a longer answer is also offered as a CSV file (a FileConsentCard: the person allows it into
   * their OneDrive, see onFileConsent). The offer is bound to the asker's Entra ID object id and
   * expires after EXPORT_OFFER_TTL_MS.
   */
  private async showAudit(ctx: TurnContext, user: ChatUser, words: string[]): Promise<void> {
    const reader = this.deps.audit?.();
    if (!reader) throw new KeylessError(ErrorCodes.ConfigInvalid, 'The audit is not set up in this keyless.');
    if (ctx.activity.conversation.conversationType !== 'personal') {
      return void (await this.reply(
        ctx,
        infoCard('The audit is answered in our 1:1 chat only: write `audit …` to me there.'),
      ));
    }
    const at = this.now();
    const answer = await reader.read(user, words, { at });
    await this.reply(ctx, auditCard(answer, nextAuditWords(words, answer.page)));
    const file = answer.export;
    if (!file) return;
    // The person's Entra ID object id as the roster (TeamsInfo) gives it: the accept must come from it.
    const aad = user.directoryId;
    if (!aad) {
      return void (await this.reply(
        ctx,
        infoCard('The whole answer cannot be sent as a file: Teams did not say who you are in Microsoft Entra ID.'),
      ));
    }
    await this.offerExport(ctx, file, { user: aad, words, at });
  }

  /** The FileConsentCard for an export: its name, exact size, and the offer bound to `user` until it expires. */
  private async offerExport(
    ctx: TurnContext,
    file: NonNullable<AuditAnswer['export']>,
    offer: { user: string; words: readonly string[]; at: number },
  ): Promise<void> {
    const size = Buffer.byteLength(file.text, 'utf8');
    const context: AuditExportContext = {
      kind: 'keyless-audit-export',
      user: offer.user,
      words: [...offer.words],
      at: offer.at,
      expiresAt: offer.at + EXPORT_OFFER_TTL_MS,
      size,
    };
    const description = `The whole answer as CSV: ${file.count} event(s)${file.truncated ? ' (cut at this many: narrow the range for the rest)' : ''}. Allow it to save it to your OneDrive; the offer lasts ${EXPORT_OFFER_TTL_MS / 60_000} minutes.`;
    await this.deps.pacer.run(ctx.activity.conversation.id, () =>
      ctx.sendActivity({
        type: ActivityTypes.Message,
        attachments: [fileConsentCard(file.filename, size, description, context)],
      }),
    );
  }

  /**
   * `fileConsent/invoke`: the person allowed or declined an offered export. Verified like every
   * activity (the Bot Framework token, the tenant); then the offer must be one keyless made, in the
   * 1:1 chat, to this very person (Entra ID object id), not expired; the words are read again as of
   * the offer's time by this person, who must still be an auditor. Only then are the bytes PUT to
   * the upload URL and the file card posted. Teams gets 200 in every case (the answer is in chat).
   */
  private async onFileConsent(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const value = FileConsentValueSchema.safeParse(a.value);
    const offer = value.success ? AuditExportContextSchema.safeParse(value.data.context) : undefined;
    await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200 } } as Partial<Activity>);
    const say = (text: string) => this.reply(ctx, infoCard(text));
    if (!value.success || !offer?.success) {
      this.deps.logger.warn(
        { platform: 'teams', code: ErrorCodes.InvalidInput },
        'file consent refused: not an offer of keyless',
      );
      return void (await say('This file offer is not one keyless made; nothing was sent.'));
    }
    const context = offer.data;
    if (a.conversation.conversationType !== 'personal') {
      this.deps.logger.warn(
        { platform: 'teams', code: ErrorCodes.NotAllowed },
        'file consent refused: not in a 1:1 chat',
      );
      return void (await say('Files are sent in our 1:1 chat only; nothing was sent.'));
    }
    const { user } = await this.deps.roster.whoSent(ctx);
    const aad = user.directoryId;
    if (!aad || aad !== context.user) {
      this.deps.logger.warn(
        { platform: 'teams', code: ErrorCodes.NotAllowed, actor: aad ?? a.from?.id },
        'file consent refused: the export was offered to someone else',
      );
      return void (await say(
        'This export was offered to someone else; nothing was sent. Write `audit …` to me for your own.',
      ));
    }
    if (value.data.action === 'decline') {
      return void (await say('You declined the file; nothing was sent. The first page stays above.'));
    }
    if (this.now() > context.expiresAt) {
      return void (await say('This export offer has expired; nothing was sent. Write `audit …` again for a new one.'));
    }
    await this.sendExport(ctx, user, context, value.data);
  }

  private async sendExport(
    ctx: TurnContext,
    user: ChatUser,
    context: AuditExportContext,
    value: Extract<FileConsentValue, { action: 'accept' }>,
  ): Promise<void> {
    const say = (text: string) => this.reply(ctx, infoCard(text));
    const uploads = this.deps.fileUploads ?? { allowLoopbackHttp: false };
    const info = value.uploadInfo;
    if (!uploadUrlAllowed(info.uploadUrl, uploads.allowLoopbackHttp)) {
      this.deps.logger.warn({ platform: 'teams', code: 'UPLOAD_URL_REFUSED' }, 'file consent: upload URL not https');
      return void (await say('Teams gave an upload address keyless does not send files to; nothing was sent.'));
    }
    const reader = this.deps.audit?.();
    if (!reader) return void (await say('The audit is not set up in this keyless; nothing was sent.'));
    let file: AuditAnswer['export'];
    try {
      file = (await reader.read(user, context.words, { at: context.at })).export;
    } catch (error) {
      if (!isKeylessError(error)) throw error;
      const { problem, hint } = userMessage(error);
      return void (await this.reply(ctx, problemCard(`${problem} Nothing was sent.`, hint)));
    }
    if (!file) return void (await say('The answer now fits on one page: there is no file to send.'));
    const bytes = Buffer.from(file.text, 'utf8');
    if (bytes.length !== context.size) {
      // Events of the window were filed since the offer: the upload session takes the announced size
      // only, so the new answer is offered afresh.
      await say('The answer changed since I offered it (events were filed meanwhile); here is the new one.');
      return this.offerExport(ctx, file, { user: context.user, words: context.words, at: this.now() });
    }
    try {
      await uploadBytes(info.uploadUrl, bytes, {
        contentType: 'text/csv; charset=utf-8',
        ...(uploads.fetch ? { fetch: uploads.fetch } : {}),
        ...(uploads.fragmentBytes ? { fragmentBytes: uploads.fragmentBytes } : {}),
      });
    } catch (error) {
      this.deps.logger.warn(
        { platform: 'teams', code: 'UPLOAD_FAILED', status: (error as { status?: number }).status },
        'audit export not uploaded',
      );
      return void (await say(
        'The file could not be saved to your OneDrive; nothing was shared. Write `audit …` again to retry.',
      ));
    }
    await this.deps.pacer.run(ctx.activity.conversation.id, () =>
      ctx.sendActivity({
        type: ActivityTypes.Message,
        text: `The audit export: ${file.count} event(s)${file.truncated ? ' (cut at this many: narrow the range for the rest)' : ''}.`,
        attachments: [fileInfoCard(info)],
      }),
    );
  }

  private async reply(ctx: TurnContext, card: AdaptiveCard): Promise<string | undefined> {
    const sent = await this.deps.pacer.run(ctx.activity.conversation.id, () =>
      ctx.sendActivity({ type: ActivityTypes.Message, attachments: [attachment(card)] }),
    );
    return sent?.id;
  }

  // ---------------------------------------------------------------- the security feed

  private alertEngine(): AlertEngine {
    const alerts = this.deps.alerts?.();
    if (!alerts) throw new KeylessError(ErrorCodes.ConfigInvalid, 'The security feed is not configured in keyless.');
    return alerts;
  }

  /**
   * A button of an alert or digest card. The card itself is updated for everyone by the alert
   * publisher (updateActivity); the clicker gets a one-line answer, so that a click on a digest
   * never replaces the digest with one alert.
   */
  private async onAlertAction(ctx: TurnContext, verb: AlertVerb, raw: Record<string, unknown>): Promise<void> {
    const data = AlertActionData[verb].safeParse(raw);
    if (!data.success) {
      this.deps.logger.warn({ platform: 'teams', verb, code: ErrorCodes.InvalidInput }, 'alert card data refused');
      return this.refuse(ctx, INVALID_CARD_ACTION_TEXT);
    }
    const { user } = await this.deps.roster.whoSent(ctx);
    try {
      const text = await this.alertAction(verb, data.data as never, user);
      await this.answerText(ctx, text);
    } catch (error) {
      if (!isKeylessError(error))
        this.deps.logger.error({ err: error, platform: 'teams', verb }, 'alert action failed');
      const { problem, hint } = userMessage(error);
      await this.answerText(ctx, hint ? `${problem} ${hint}` : problem);
    }
  }

  private async alertAction<V extends AlertVerb>(
    verb: V,
    data: AlertActionDataOf<V>,
    actor: ChatUser,
  ): Promise<string> {
    const alerts = this.alertEngine();
    const done = (what: string, a: Alert) => `${what}: ${a.finding.title} in ${a.finding.account.name}.`;
    switch (verb) {
      case AlertVerbs.acknowledge: {
        const { dedupeKey } = data as AlertActionDataOf<typeof AlertVerbs.acknowledge>;
        return done('Acknowledged', await alerts.acknowledge({ dedupeKey, actor }));
      }
      case AlertVerbs.snooze: {
        const d = data as AlertActionDataOf<typeof AlertVerbs.snooze>;
        const days = d.snoozeDays ?? 7;
        const alert = await alerts.snooze({ dedupeKey: d.dedupeKey, actor, days, reason: d.snoozeReason ?? '' });
        return done(`Snoozed for ${days} days`, alert);
      }
      case AlertVerbs.deactivate: {
        const { dedupeKey } = data as AlertActionDataOf<typeof AlertVerbs.deactivate>;
        return done('Deactivation requested', await alerts.requestDeactivation({ dedupeKey, actor }));
      }
      case AlertVerbs.approveDeactivation: {
        const { dedupeKey } = data as AlertActionDataOf<typeof AlertVerbs.approveDeactivation>;
        return done('Deactivation approved', await alerts.approveDeactivation({ dedupeKey, actor }));
      }
      case AlertVerbs.denyDeactivation: {
        const { dedupeKey } = data as AlertActionDataOf<typeof AlertVerbs.denyDeactivation>;
        return done('Deactivation denied', await alerts.denyDeactivation({ dedupeKey, actor }));
      }
      case AlertVerbs.reactivate: {
        const { dedupeKey } = data as AlertActionDataOf<typeof AlertVerbs.reactivate>;
        return done('Reactivated', await alerts.reactivate({ dedupeKey, actor }));
      }
      case AlertVerbs.deleteKey: {
        const { dedupeKey } = data as AlertActionDataOf<typeof AlertVerbs.deleteKey>;
        return done('Deletion requested', await alerts.requestDeletion({ dedupeKey, actor }));
      }
      case AlertVerbs.approveDeletion: {
        const { dedupeKey } = data as AlertActionDataOf<typeof AlertVerbs.approveDeletion>;
        return done('Deletion approved: the old key is deleted', await alerts.approveDeletion({ dedupeKey, actor }));
      }
      case AlertVerbs.denyDeletion: {
        const { dedupeKey } = data as AlertActionDataOf<typeof AlertVerbs.denyDeletion>;
        return done('Deletion denied', await alerts.denyDeletion({ dedupeKey, actor }));
      }
      case AlertVerbs.announceRoot: {
        const d = data as AlertActionDataOf<typeof AlertVerbs.announceRoot>;
        const window = await alerts.announceRootWindow({
          actor,
          account: d.accountId,
          duration: d.rootWindowDuration ?? '',
          reason: d.rootWindowReason ?? '',
        });
        return `Root use in ${window.accountId} is announced until ${new Date(window.until).toISOString()}.`;
      }
      default:
        throw new Error(`unhandled alert verb ${String(verb)}`);
    }
  }

  /** Universal Actions' message answer: Teams shows the text to the clicker and leaves the card as it is. */
  private async answerText(ctx: TurnContext, text: string): Promise<void> {
    await ctx.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: { status: 200, body: { statusCode: 200, type: MESSAGE_CONTENT_TYPE, value: text } },
    } as Partial<Activity>);
  }

  // ---------------------------------------------------------------- Action.Execute

  private async onInvoke(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    if (a.name === SEARCH_INVOKE) return this.onSearch(ctx);
    if (a.name === FILE_CONSENT_INVOKE) return this.onFileConsent(ctx);
    // Other invokes (message extensions, task modules) are not offered: no invoke response → 501.
    if (a.name !== ADAPTIVE_CARD_ACTION) return;
    const value = InvokeValueSchema.safeParse(a.value);
    if (!value.success) return this.refuse(ctx, INVALID_CARD_ACTION_TEXT);
    const verb = value.data.action.verb;
    if (isAlertVerb(verb)) return this.onAlertAction(ctx, verb, value.data.action.data ?? {});
    if (!isVerb(verb)) return this.refuse(ctx, INVALID_CARD_ACTION_TEXT);
    const data = ActionData[verb].safeParse(value.data.action.data ?? {});
    if (!data.success) {
      this.deps.logger.warn({ platform: 'teams', verb, code: ErrorCodes.InvalidInput }, 'card data refused');
      return this.refuse(ctx, INVALID_CARD_ACTION_TEXT);
    }
    const { user } = await this.deps.roster.whoSent(ctx);
    await this.deps.references.remember(a, user);
    try {
      const card = await this.execute(ctx, verb, data.data as never, user);
      await this.answer(ctx, card);
    } catch (error) {
      if (!isKeylessError(error)) this.deps.logger.error({ err: error, platform: 'teams', verb }, 'card action failed');
      const { problem, hint } = userMessage(error);
      await this.answer(ctx, problemCard(problem, hint));
    }
  }

  private execute<V extends Verb>(
    ctx: TurnContext,
    verb: V,
    data: ActionDataOf<V>,
    user: ChatUser,
  ): Promise<AdaptiveCard> {
    switch (verb) {
      case Verbs.approve:
      case Verbs.deny:
      case Verbs.cancel:
        return this.decide(verb, data as DecideData, user);
      case Verbs.homeRefresh:
        return this.home(user);
      case Verbs.startForm:
        return this.newForm((data as ActionDataOf<typeof Verbs.startForm>).breakGlass, undefined, user);
      case Verbs.refresh:
        return this.refreshView((data as ActionDataOf<typeof Verbs.refresh>).requestId, user);
      case Verbs.chooseAccount:
        return this.formAccountChosen(data as ActionDataOf<typeof Verbs.chooseAccount>, user);
      case Verbs.submitRequest:
        return this.formSubmitted(data as ActionDataOf<typeof Verbs.submitRequest>, user);
      case Verbs.extendGrant:
        return this.extendGrant(ctx, data as ActionDataOf<typeof Verbs.extendGrant>, user);
      case Verbs.endGrant:
        return this.endGrant(data as ActionDataOf<typeof Verbs.endGrant>, user);
      case Verbs.approveBundle:
      case Verbs.denyBundle:
      case Verbs.endBundle:
        return this.bundleAction(verb, data as ActionDataOf<typeof Verbs.denyBundle>, user);
      default:
        throw new Error(`unhandled verb ${String(verb)}`);
    }
  }

  private async loadRequest(requestId: string): Promise<AccessRequest> {
    const request = await this.deps.engine.getRequest(requestId);
    if (!request) throw new KeylessError(ErrorCodes.RequestNotFound, `There is no request ${requestId}.`);
    return request;
  }

  private async decide(
    verb: typeof Verbs.approve | typeof Verbs.deny | typeof Verbs.cancel,
    data: DecideData,
    user: ChatUser,
  ): Promise<AdaptiveCard> {
    const { engine, views } = this.deps;
    let notice: ApprovalCardOptions['notice'];
    let request: AccessRequest;
    // Deny needs a reason, as in Slack: the card marks it required, and the bot refuses an empty one
    // (a client may skip the card's check). Nothing is changed; the clicker is told why.
    if (verb === Verbs.deny && (data.denyReason ?? '').length < MIN_DENY_REASON_LENGTH) {
      const refusal = { text: DENY_REASON_MISSING_TEXT, tone: 'attention' as const };
      if (data.view === 'home') return this.home(user, refusal);
      request = await this.loadRequest(data.requestId);
      return views.card(request, await views.viewerOf(request, user), { notice: refusal });
    }
    try {
      const result =
        verb === Verbs.approve
          ? await engine.approve({ requestId: data.requestId, actor: user })
          : verb === Verbs.deny
            ? await engine.deny({
                requestId: data.requestId,
                actor: user,
                ...(data.denyReason ? { reason: data.denyReason } : {}),
              })
            : await engine.cancel({ requestId: data.requestId, actor: user });
      request = result.request;
      notice = {
        recorded: {
          text: `Your approval is recorded (${request.approvals.length} of ${request.approvalsRequired}).`,
          tone: 'good' as const,
        },
        approved: { text: 'Approved. Access is being set up now.', tone: 'good' as const },
        denied: { text: 'You denied this request; the requester is told.', tone: 'default' as const },
        cancelled: { text: 'Request cancelled.', tone: 'default' as const },
        duplicate: { text: 'You had already approved this request.', tone: 'default' as const },
        already_decided: { text: 'This request was already decided.', tone: 'default' as const },
      }[result.outcome];
    } catch (error) {
      // NOT_ELIGIBLE_APPROVER / SELF_APPROVAL_FORBIDDEN are audited by the engine; the refusal is
      // rendered in the invoke response, which only the person who clicked sees.
      if (!isKeylessError(error) || error.code === ErrorCodes.RequestNotFound) throw error;
      request = await this.loadRequest(data.requestId);
      notice = { text: error.toUserText(), tone: 'attention' };
    }
    if (data.view === 'home') return this.home(user, notice);
    if (data.view === 'status') return requestStatusCard(request);
    return views.card(request, await views.viewerOf(request, user), notice ? { notice } : {});
  }

  /** The home card, drawn from the engine now. */
  private async home(user: ChatUser, notice?: HomeState['notice']): Promise<AdaptiveCard> {
    const { engine } = this.deps;
    const zone = user.timeZone;
    try {
      const [mine, approvals] = await Promise.all([engine.listMine(user), engine.approvalsFor(user)]);
      return homeCard({ ...mine, approvals, ...(zone ? { zone } : {}), ...(notice ? { notice } : {}) });
    } catch (error) {
      if (!isKeylessError(error)) throw error;
      const { problem, hint } = userMessage(error);
      return homeCard({
        grants: [],
        requests: [],
        approvals: [],
        problem: hint ? `${problem} ${hint}` : problem,
        ...(zone ? { zone } : {}),
        ...(notice ? { notice } : {}),
      });
    }
  }

  /**
   * Step 1 of the request form: the first accounts (the type-ahead finds every other one) and, when
   * some rule lets this person ask for one, the groups.
   */
  private async newForm(breakGlass: boolean, notice?: string, user?: ChatUser): Promise<AdaptiveCard> {
    const form: FormContext = { formId: this.newFormId(), breakGlass, ...(notice ? { notice } : {}) };
    return this.stepOne(form, user);
  }

  private async stepOne(form: FormContext, user: ChatUser | undefined, selected?: string): Promise<AdaptiveCard> {
    const [accounts, groups] = await Promise.all([
      this.deps.engine.findAccounts('', MAX_SEARCH_RESULTS),
      user && !form.breakGlass ? this.groupChoices(user) : Promise.resolve([]),
    ]);
    return accountStepCard(accounts, { ...form, ...(groups.length > 0 ? { groups } : {}) }, selected);
  }

  /** The groups this person may ask to join; none when they cannot be read (the accounts still work). */
  private async groupChoices(user: ChatUser): Promise<GroupChoice[]> {
    try {
      return (await this.deps.engine.requestGroupOptions({ user })).groups;
    } catch (error) {
      if (!isKeylessError(error)) this.deps.logger.warn({ err: error, platform: 'teams' }, 'group choices not loaded');
      return [];
    }
  }

  /**
   * The person's zone for a start they pick: what this activity's client sent (`localTimezone`),
   * else what their client last sent; the engine reads the start in it, as for a typed `--from`.
   */
  private async withZone(user: ChatUser): Promise<ChatUser> {
    if (user.timeZone) return user;
    const zone = await this.deps.references.timeZoneOf(user.id).catch(() => undefined);
    return zone ? { ...user, timeZone: zone } : user;
  }

  /**
   * The account picker's type-ahead (`application/search`): the accounts matching what was typed
   * (name, id or OU, as Slack's picker), the page Teams asks for, at most 15 per answer.
   */
  private async onSearch(ctx: TurnContext): Promise<void> {
    const value = SearchInvokeValueSchema.safeParse(ctx.activity.value);
    if (!value.success || value.data.dataset !== ACCOUNT_DATASET) {
      return this.refuse(ctx, 'This search is not one keyless offers; nothing was searched.');
    }
    const skip = value.data.queryOptions?.skip ?? 0;
    const top = Math.min(value.data.queryOptions?.top ?? MAX_SEARCH_RESULTS, MAX_SEARCH_RESULTS);
    let results: { title: string; value: string }[] = [];
    try {
      const found = await this.deps.engine.findAccounts(value.data.queryText, skip + top);
      results = found.slice(skip, skip + top).map(accountChoice);
    } catch (error) {
      this.deps.logger.warn({ err: error, platform: 'teams' }, 'account search failed');
    }
    await ctx.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: { status: 200, body: { statusCode: 200, type: SEARCH_RESPONSE_CONTENT_TYPE, value: { results } } },
    } as Partial<Activity>);
  }

  private async refreshView(requestId: string, user: ChatUser): Promise<AdaptiveCard> {
    const request = await this.deps.engine.getRequest(requestId);
    if (!request) return problemCard(`There is no request ${requestId}.`);
    return this.deps.views.card(request, await this.deps.views.viewerOf(request, user));
  }

  private async formAccountChosen(
    data: ActionDataOf<typeof Verbs.chooseAccount>,
    user: ChatUser,
  ): Promise<AdaptiveCard> {
    const form: FormContext = { formId: data.formId, breakGlass: data.breakGlass };
    const accounts = () => this.deps.engine.findAccounts('', MAX_SEARCH_RESULTS);
    const group = data.breakGlass ? undefined : data.group;
    if (data.restart || (!data.account && !group)) {
      return this.stepOne(data.restart ? form : { ...form, notice: 'Choose an account or a group first.' }, user);
    }
    if (data.account && group) {
      return this.stepOne({ ...form, notice: 'Choose an account or a group, not both.' }, user, data.account);
    }
    if (group) return this.groupStep(group, form, user);
    try {
      const zoned = await this.withZone(user);
      const { account, options } = await this.deps.engine.requestOptions({ user, account: data.account! });
      return detailsStepCard(account, options, {
        ...form,
        moreChoices: await accounts(),
        ...(zoned.timeZone ? { zone: zoned.timeZone } : {}),
      });
    } catch (error) {
      if (!isKeylessError(error)) throw error;
      return this.stepOne({ ...form, notice: error.toUserText() }, user);
    }
  }

  /** The group form, for a group this person may ask to join (else step 1 again, saying why). */
  private async groupStep(
    name: string,
    form: FormContext,
    user: ChatUser,
    values: DetailsValues = {},
  ): Promise<AdaptiveCard> {
    const choice = (await this.groupChoices(user)).find((g) => g.name === name);
    if (!choice) {
      return this.stepOne(
        { ...form, notice: `No rule lets you ask to join ${name}. Run \`why group:${name}\` to see why.` },
        user,
      );
    }
    return groupStepCard(choice, form, values);
  }

  private async formSubmitted(data: ActionDataOf<typeof Verbs.submitRequest>, user: ChatUser): Promise<AdaptiveCard> {
    const { engine } = this.deps;
    const form: FormContext = { formId: data.formId, breakGlass: data.breakGlass };
    const requester = await this.withZone(user);
    const zone = requester.timeZone ? { zone: requester.timeZone } : {};
    const values: DetailsValues = {
      ...(data.permissionSet ? { permissionSet: data.permissionSet } : {}),
      ...(data.duration ? { duration: data.duration } : {}),
      ...(data.reason ? { reason: data.reason } : {}),
      ...(data.ticket ? { ticket: data.ticket } : {}),
      ...(data.moreAccounts ? { moreAccounts: data.moreAccounts } : {}),
      ...(data.startDate ? { startDate: data.startDate } : {}),
      ...(data.startTime ? { startTime: data.startTime } : {}),
    };
    const groupName = data.breakGlass ? undefined : groupNameFromText(data.account);
    const again = async (notice: string) => {
      if (groupName !== undefined) return this.groupStep(groupName, { ...form, notice }, user, values);
      const { account, options } = await engine.requestOptions({ user, account: data.account });
      const moreChoices = await engine.findAccounts('', MAX_SEARCH_RESULTS);
      return detailsStepCard(account, options, { ...form, notice, moreChoices, ...zone }, values);
    };
    const missing = [
      groupName === undefined && !data.permissionSet && 'a permission set',
      !data.duration && 'a duration',
      !data.reason && 'a reason',
    ].filter(Boolean);
    if (missing.length > 0) return again(`Please give ${missing.join(', ')}.`);
    // Break-glass is access now: a start sent with it is refused by the engine like any other.
    const picked = startFromPickers({ date: data.startDate, time: data.startTime });
    if (picked.problem) return again(picked.problem.message);
    const start = picked.start ? { start: picked.start } : {};
    const more = data.breakGlass || groupName !== undefined ? [] : splitAccountTargets(data.moreAccounts ?? '');
    if (more.length > 0) {
      try {
        const bundle = await engine.requestBundle({
          requester,
          accounts: [data.account, ...more],
          permissionSet: data.permissionSet ?? '',
          duration: data.duration ?? '',
          reason: data.reason ?? '',
          ...(data.ticket ? { ticket: data.ticket } : {}),
          ...start,
          idempotencyKey: `teams:form:${data.formId}:${user.id}`,
        });
        return bundleReplyCard(bundle);
      } catch (error) {
        if (!isKeylessError(error)) throw error;
        return again(formStartProblemText(error) ?? error.toUserText());
      }
    }
    try {
      const result = await engine.requestAccess({
        requester,
        account: data.account,
        permissionSet: data.permissionSet ?? '',
        duration: data.duration ?? '',
        reason: data.reason ?? '',
        ...(data.ticket ? { ticket: data.ticket } : {}),
        ...start,
        breakGlass: data.breakGlass,
        // One form, one request, however many times Submit is clicked.
        idempotencyKey: `teams:form:${data.formId}:${user.id}`,
      });
      return requestStatusCard(result.request);
    } catch (error) {
      if (!isKeylessError(error)) throw error;
      return again(formStartProblemText(error) ?? error.toUserText());
    }
  }

  private async extendGrant(
    ctx: TurnContext,
    data: ActionDataOf<typeof Verbs.extendGrant>,
    user: ChatUser,
  ): Promise<AdaptiveCard> {
    const { engine } = this.deps;
    const home = data.view === 'home';
    const grant = await engine.getGrant(data.grantId);
    if (!grant) return problemCard(`There is no grant ${data.grantId}.`, 'list');
    const answer = (g: Grant, notice: string, tone: 'good' | 'attention' | 'default' = 'default') =>
      home ? this.home(user, { text: notice, tone }) : Promise.resolve(grantCard(g, user.timeZone, notice));
    if (!data.extendBy) return answer(grant, 'Say how much more time you need, for example 1h.', 'attention');
    try {
      const result = await engine.extend({
        grantId: data.grantId,
        actor: user,
        duration: data.extendBy,
        ...(data.reason ? { reason: data.reason } : {}),
        // The same card and duration twice (a double click) is one extension request.
        idempotencyKey: `teams:extend:${ctx.activity.replyToId ?? ctx.activity.id}:${data.extendBy}`,
      });
      const r = result.request;
      if (r.status === 'pending') {
        return answer(
          grant,
          `Extension asked (request ${r.id}): waiting for ${r.approvalsRequired - r.approvals.length} approval(s).`,
        );
      }
      if (r.status !== 'approved') return answer(grant, `Extension ${r.status.replace('_', ' ')} (request ${r.id}).`);
      // Approved by policy: the clicked card shows the grant with its new end, once applied.
      const extended = await this.extensionApplied(grant.id, r.id);
      if (!extended) return answer(grant, 'Extension approved by policy; adding the time now.', 'good');
      const until = extended.expiresAt !== undefined ? formatLocalTime(extended.expiresAt, user.timeZone) : undefined;
      return answer(extended, until ? `Extended: your access now ends ${until}.` : 'Extended.', 'good');
    } catch (error) {
      if (!isKeylessError(error)) throw error;
      // GRANT_ENDED: the grant is shown as it is now (no buttons), with the engine's words.
      const now = error.code === ErrorCodes.GrantEnded ? ((await engine.getGrant(data.grantId)) ?? grant) : grant;
      return answer(now, error.toUserText(), 'attention');
    }
  }

  /** The grant once the extension `requestId` is applied to it (bounded wait), else undefined. */
  private async extensionApplied(grantId: string, requestId: string): Promise<Grant | undefined> {
    const deadline = Date.now() + EXTENSION_WAIT_MS;
    for (;;) {
      const grant = await this.deps.engine.getGrant(grantId);
      if (grant?.history.some((e) => e.event === 'extended' && e.details?.requestId === requestId)) return grant;
      if (!grant || Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Approve all / Deny all / End all now on a multi-account request. The engine decides each account
   * by its own rule and checks the clicker for each; the answer is the card redrawn for the clicker,
   * with what the click did (or why it was refused) on it.
   */
  private async bundleAction(
    verb: typeof Verbs.approveBundle | typeof Verbs.denyBundle | typeof Verbs.endBundle,
    data: ActionDataOf<typeof Verbs.denyBundle>,
    user: ChatUser,
  ): Promise<AdaptiveCard> {
    const { engine } = this.deps;
    const requester = verb === Verbs.endBundle;
    const draw = async (notice: string) => {
      const view = await engine.bundleOf(data.requestId);
      if (!view) throw new KeylessError(ErrorCodes.RequestNotFound, `There is no request ${data.requestId}.`);
      const zone = view.requests[0]!.requester.timeZone;
      return requester ? bundleRequesterCard(view, zone, notice) : bundleApprovalCard(view, zone, notice);
    };
    if (verb === Verbs.denyBundle && (data.denyReason ?? '').length < MIN_DENY_REASON_LENGTH) {
      return draw(DENY_REASON_MISSING_TEXT);
    }
    try {
      const result =
        verb === Verbs.approveBundle
          ? await engine.approveBundle({ requestId: data.requestId, actor: user })
          : verb === Verbs.denyBundle
            ? await engine.denyBundle({
                requestId: data.requestId,
                actor: user,
                ...(data.denyReason ? { reason: data.denyReason } : {}),
              })
            : await engine.revokeBundle({ requestId: data.requestId, actor: user, reason: 'ended early from Teams' });
      const names = (pick: (r: (typeof result.results)[number]) => boolean) =>
        result.results
          .filter(pick)
          .map((r) => r.accountName)
          .join(', ');
      const done = names((r) => r.error === undefined && r.outcome !== 'duplicate' && r.outcome !== 'already_ended');
      const skipped = names((r) => r.error !== undefined);
      const notice =
        result.results.length === 0
          ? requester
            ? 'None of these accesses is live any more: nothing to end.'
            : 'Every account of this request is already decided.'
          : [
              done
                ? verb === Verbs.approveBundle
                  ? `Your approval counts for ${done}.`
                  : verb === Verbs.denyBundle
                    ? `You denied ${done}; the requester is told.`
                    : `Ending your access to ${done} now.`
                : '',
              skipped ? `You may not decide ${skipped} (another rule's approvers must).` : '',
            ]
              .filter(Boolean)
              .join(' ') || 'Nothing changed.';
      return draw(notice);
    } catch (error) {
      if (!isKeylessError(error) || error.code === ErrorCodes.RequestNotFound) throw error;
      return draw(error.toUserText());
    }
  }

  private async endGrant(data: ActionDataOf<typeof Verbs.endGrant>, user: ChatUser): Promise<AdaptiveCard> {
    const { engine } = this.deps;
    const grantId = data.grantId;
    const home = data.view === 'home';
    try {
      const result = await engine.revoke({ grantId, actor: user, reason: 'ended early from Teams' });
      // The card answers with the grant as it is: ending now, or already ended (and since when).
      const ended = result.outcome === 'already_ended' ? endedGrantText(result.grant, user.timeZone) : undefined;
      const notice = ended ?? 'Ending your access now; I will confirm when it is removed.';
      return home ? this.home(user, { text: notice, tone: 'default' }) : grantCard(result.grant, user.timeZone, notice);
    } catch (error) {
      if (!isKeylessError(error)) throw error;
      if (home) return this.home(user, { text: error.toUserText(), tone: 'attention' });
      const grant = await engine.getGrant(grantId);
      return grant ? grantCard(grant, user.timeZone, error.toUserText()) : problemCard(error.message, error.hint);
    }
  }

  private async answer(ctx: TurnContext, card: AdaptiveCard): Promise<void> {
    await ctx.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: { status: 200, body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card } },
    } as Partial<Activity>);
  }

  /**
   * An activity from a tenant keyless does not serve: one log line (no payload), counted by its
   * code; a message is answered with the reason, an invoke with Universal Actions' error answer
   * (403). Nothing else happens: no roster lookup, no conversation remembered, no engine call.
   */
  private async refuseTenant(ctx: TurnContext, tenantIds: string[]): Promise<void> {
    const a = ctx.activity;
    this.deps.logger.warn(
      {
        platform: 'teams',
        code: ErrorCodes.ForeignWorkspace,
        tenantIds: tenantIds.join(',') || undefined,
        activityType: a.type,
        actor: a.from?.aadObjectId ?? a.from?.id,
      },
      'activity from a Teams tenant keyless does not serve refused',
    );
    const text = foreignTenantText(tenantIds);
    if (a.type === ActivityTypes.Invoke) {
      await ctx.sendActivity({
        type: ActivityTypes.InvokeResponse,
        value: {
          status: 200,
          body: { statusCode: 403, type: ERROR_CONTENT_TYPE, value: { code: 'Forbidden', message: text } },
        },
      } as Partial<Activity>);
      return;
    }
    if (a.type === ActivityTypes.Message) await ctx.sendActivity({ type: ActivityTypes.Message, text });
  }

  /** A refused invoke: Universal Actions' error answer; nothing was changed. */
  private async refuse(ctx: TurnContext, message: string): Promise<void> {
    this.deps.logger.warn(
      { platform: 'teams', code: 'INVALID_BUTTON', actor: ctx.activity.from?.id },
      'card action not valid; nothing done',
    );
    await ctx.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: {
        status: 200,
        body: { statusCode: 400, type: ERROR_CONTENT_TYPE, value: { code: 'BadRequest', message } },
      },
    } as Partial<Activity>);
  }
}
