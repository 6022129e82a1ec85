import { randomBytes } from 'node:crypto';
import { elementsOf, slackSignature, type Block, type StateValue, type WireView } from './wire';
import { WorkspaceError, type SlackWorkspaceState } from './workspace';

/**
 * Acts as people in the loopback workspace: sends the bot correctly signed slash commands, button
 * clicks, select changes, options requests, view submissions and events, exactly as Slack would,
 * and applies the bot's answers (ack bodies, response_action) to the workspace state.
 * A person can only click what is rendered: a button that is gone cannot be clicked.
 *
 * Two transports, as Slack has: `http` (the default) POSTs signed requests to `botUrl`; `socket`
 * sends the same payloads as Socket Mode envelopes on the app's WebSocket and takes the ack's
 * `payload` as the answer (status 200). Every helper below works over either.
 */
export interface BotAnswer {
  status: number;
  /** The HTTP answer's body (JSON parsed), or the Socket Mode ack's `payload`. */
  body: unknown;
  ms: number;
}

/** The Socket Mode envelope types (https://docs.slack.dev/apis/events-api/using-socket-mode). */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** One thing Slack delivers to the app, before it is put on a transport. */
export type Delivery =
  | { type: 'slash_commands'; payload: Record<string, string> }
  | { type: 'interactive' | 'events_api'; payload: Record<string, unknown> };

export interface DeliveryOptions {
  /** A retry, as Slack marks it: x-slack-retry-num over HTTP, retry_attempt in Socket Mode. */
  retryAttempt?: number;
  retryReason?: string;
}

/** Where Socket Mode envelopes go: the workspace's Socket Mode server. */
export interface EnvelopeLink {
  /** Sends an envelope and resolves with its ack's payload; rejects when no ack comes in time. */
  deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    options?: DeliveryOptions,
  ): Promise<{ payload: unknown; ms: number }>;
}

export interface RawDelivery {
  body: string;
  contentType?: string;
  timestamp?: number | string;
  signature?: string;
  headers?: Record<string, string>;
}

export class WorkspaceClient {
  /** The bot's events URL, for example http://127.0.0.1:3000/slack/events. */
  botUrl: string;
  /** How deliveries reach the bot. `socket` needs the workspace started with an app token. */
  transport: 'http' | 'socket' = 'http';
  /** Set by the workspace when it speaks Socket Mode. */
  socketMode: EnvelopeLink | undefined;

  constructor(
    private readonly ws: SlackWorkspaceState,
    botUrl: string,
    private readonly signingSecret: string,
    /** The workspace's own base URL, for response_url. */
    private readonly baseUrl: () => string,
  ) {
    this.botUrl = botUrl;
  }

  /** Sends bytes to the bot, signed now unless told otherwise (forgeries, stale and future timestamps). */
  async send(delivery: RawDelivery): Promise<BotAnswer> {
    const ts = delivery.timestamp ?? Math.floor(Date.now() / 1000);
    const started = performance.now();
    const res = await fetch(this.botUrl, {
      method: 'POST',
      headers: {
        'content-type': delivery.contentType ?? 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': delivery.signature ?? slackSignature(this.signingSecret, ts, delivery.body),
        ...delivery.headers,
      },
      body: delivery.body,
    });
    const text = await res.text();
    let body: unknown = text;
    if (res.headers.get('content-type')?.includes('application/json') && text) body = JSON.parse(text);
    return { status: res.status, body, ms: performance.now() - started };
  }

  private userPart(userId: string) {
    const u = this.ws.user(userId);
    return { id: u.id, username: u.name, name: u.name, team_id: this.ws.team.id };
  }

  /**
   * Delivers a command, an interaction or an event on the current transport: over HTTP as Slack
   * posts it (a form, a form with one JSON `payload`, or JSON), in Socket Mode as an envelope.
   */
  async deliver(delivery: Delivery, options: DeliveryOptions = {}): Promise<BotAnswer> {
    if (this.transport === 'socket') {
      if (!this.socketMode) throw new WorkspaceError('this workspace has no Socket Mode (start it with an app token)');
      const answer = await this.socketMode.deliver(delivery.type, delivery.payload, options);
      return { status: 200, body: answer.payload, ms: answer.ms };
    }
    const headers: Record<string, string> = {};
    if (options.retryAttempt !== undefined) headers['x-slack-retry-num'] = String(options.retryAttempt);
    if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
    switch (delivery.type) {
      case 'slash_commands':
        return this.send({ body: this.form(delivery.payload), headers });
      case 'interactive':
        return this.send({ body: this.form({ payload: JSON.stringify(delivery.payload) }), headers });
      case 'events_api':
        return this.send({ body: JSON.stringify(delivery.payload), contentType: 'application/json', headers });
    }
  }

  private form(fields: Record<string, string>): string {
    return new URLSearchParams(fields).toString();
  }

  private interaction(payload: Record<string, unknown>): Promise<BotAnswer> {
    return this.deliver({ type: 'interactive', payload });
  }

  // ---- slash commands -----------------------------------------------------------------------------

  /** Builds the form Slack posts for `/command text`; `send()` it or use `command()`. */
  commandForm(userId: string, text: string, options: { channel?: string; command?: string } = {}): string {
    return this.form(this.commandPayload(userId, text, options));
  }

  /** The fields of `/command text` (a new trigger_id each time); `deliver()` it or use `command()`. */
  commandPayload(
    userId: string,
    text: string,
    options: { channel?: string; command?: string } = {},
  ): Record<string, string> {
    const u = this.ws.user(userId);
    const channel = options.channel ?? this.ws.openDm(userId).id;
    const responseId = this.ws.issueResponseUrl(channel, userId);
    return {
      token: 'deprecated-verification-token',
      team_id: this.ws.team.id,
      team_domain: this.ws.team.domain,
      channel_id: channel,
      channel_name: this.ws.channels.get(channel)?.name ?? 'directmessage',
      user_id: u.id,
      user_name: u.name,
      command: options.command ?? '/aws-access',
      text,
      api_app_id: this.ws.app.id,
      is_enterprise_install: 'false',
      response_url: `${this.baseUrl()}/response/${responseId}`,
      trigger_id: this.ws.issueTrigger(userId),
    };
  }

  /** `/aws-access <text>` typed by a person; an ack body with text is shown to them as Slack does. */
  async command(
    userId: string,
    text: string,
    options: { channel?: string; command?: string } = {},
  ): Promise<BotAnswer> {
    const channel = options.channel ?? this.ws.openDm(userId).id;
    const answer = await this.deliver({
      type: 'slash_commands',
      payload: this.commandPayload(userId, text, { ...options, channel }),
    });
    const b = answer.body as { text?: string; blocks?: Block[] } | string;
    if (answer.status === 200 && typeof b === 'object' && b && (b.text || b.blocks)) {
      this.ws.postEphemeral(channel, userId, b.text ?? '', b.blocks ?? [], 'ack');
    }
    return answer;
  }

  // ---- clicks -------------------------------------------------------------------------------------

  private findElement(blocks: Block[], actionId: string, value?: string) {
    const found = elementsOf(blocks).find(
      (e) => e.element.action_id === actionId && (value === undefined || e.element.value === value),
    );
    if (!found) throw new WorkspaceError(`nothing to click: no ${actionId}${value ? `=${value}` : ''} is shown`);
    return found;
  }

  /** Builds the form Slack posts when a person clicks a button on a message; `send()` it or use `clickInMessage()`. */
  clickForm(userId: string, channel: string, ts: string, actionId: string, value?: string): string {
    return this.form({ payload: JSON.stringify(this.clickPayload(userId, channel, ts, actionId, value)) });
  }

  /** The block_actions payload of a click on a message (a new trigger_id each time); `deliver()` it or use `clickInMessage()`. */
  clickPayload(userId: string, channel: string, ts: string, actionId: string, value?: string): Record<string, unknown> {
    const message = this.ws.message(channel, ts);
    const { block, element } = this.findElement(message.blocks, actionId, value);
    const responseId = this.ws.issueResponseUrl(channel, userId, ts);
    return {
      type: 'block_actions',
      user: this.userPart(userId),
      api_app_id: this.ws.app.id,
      token: 'deprecated-verification-token',
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
      trigger_id: this.ws.issueTrigger(userId),
      team: { id: this.ws.team.id, domain: this.ws.team.domain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channel, name: this.ws.channels.get(channel)?.name ?? '' },
      message: { type: 'message', ...message },
      state: { values: {} },
      response_url: `${this.baseUrl()}/response/${responseId}`,
      actions: [
        {
          action_id: element.action_id,
          block_id: block.block_id ?? '',
          text: element.text,
          value: element.value,
          type: element.type,
          action_ts: String(Date.now() / 1000),
        },
      ],
    };
  }

  /** Clicks a button on a message (channel post or DM); rejects when the button is not shown. */
  async clickInMessage(
    userId: string,
    channel: string,
    ts: string,
    actionId: string,
    value?: string,
  ): Promise<BotAnswer> {
    return this.interaction(this.clickPayload(userId, channel, ts, actionId, value));
  }

  /** Clicks a button in a view: an open modal or the person's App Home. */
  async clickInView(userId: string, viewId: string, actionId: string, value?: string): Promise<BotAnswer> {
    const view = this.ws.views.get(viewId);
    if (!view) throw new WorkspaceError('view not found');
    const { block, element } = this.findElement(view.blocks, actionId, value);
    return this.interaction({
      ...this.viewInteraction('block_actions', userId, view),
      trigger_id: this.ws.issueTrigger(userId),
      actions: [
        {
          action_id: element.action_id,
          block_id: block.block_id ?? '',
          text: element.text,
          value: element.value,
          type: element.type,
          action_ts: String(Date.now() / 1000),
        },
      ],
    });
  }

  private viewInteraction(type: string, userId: string, view: WireView) {
    return {
      type,
      user: this.userPart(userId),
      api_app_id: this.ws.app.id,
      token: 'deprecated-verification-token',
      container: { type: 'view', view_id: view.id },
      team: { id: this.ws.team.id, domain: this.ws.team.domain },
      enterprise: null,
      is_enterprise_install: false,
      view,
    };
  }

  // ---- modals -------------------------------------------------------------------------------------

  /** The modal a person sees now. */
  modal(userId: string): WireView {
    const v = this.ws.topModal(userId);
    if (!v) throw new WorkspaceError(`${userId} has no modal open`);
    return v;
  }

  /** Types into a text input of the open modal. */
  type(userId: string, blockId: string, actionId: string, value: string): void {
    const view = this.modal(userId);
    const { element } = this.findElement(
      view.blocks.filter((b) => b.block_id === blockId),
      actionId,
    );
    // Only a text input takes typing (a picker or a select sends its own shape of value).
    if (element.type !== 'plain_text_input') throw new WorkspaceError(`${blockId}/${actionId} is not a text input`);
    this.ws.setInput(view.id, blockId, actionId, { type: 'plain_text_input', value });
  }

  /** Picks an option of a static select of the open modal. */
  pick(userId: string, blockId: string, actionId: string, value: string): void {
    const view = this.modal(userId);
    const { element } = this.findElement(
      view.blocks.filter((b) => b.block_id === blockId),
      actionId,
    );
    const option = (
      element.options as { text: { type: 'plain_text'; text: string }; value: string }[] | undefined
    )?.find((o) => o.value === value);
    if (!option) throw new WorkspaceError(`no option ${value} in ${blockId}`);
    this.ws.setInput(view.id, blockId, actionId, { type: 'static_select', selected_option: option });
  }

  /**
   * Picks an option of radio buttons of the open modal; in an input block with `dispatch_action`
   * Slack tells the app at once (block_actions), as it does here.
   */
  async choose(userId: string, blockId: string, actionId: string, value: string): Promise<BotAnswer | undefined> {
    const view = this.modal(userId);
    const block = view.blocks.find((b) => b.block_id === blockId);
    const { element } = this.findElement(block ? [block] : [], actionId);
    if (element.type !== 'radio_buttons') throw new WorkspaceError(`${blockId}/${actionId} is not radio buttons`);
    const option = (element.options as { text: { type: 'plain_text'; text: string }; value: string }[]).find(
      (o) => o.value === value,
    );
    if (!option) throw new WorkspaceError(`no option ${value} in ${blockId}`);
    const selected = { text: option.text, value: option.value };
    this.ws.setInput(view.id, blockId, actionId, { type: 'radio_buttons', selected_option: selected });
    if (!block?.dispatch_action) return undefined;
    return this.interaction({
      ...this.viewInteraction('block_actions', userId, this.ws.views.get(view.id)!),
      trigger_id: this.ws.issueTrigger(userId),
      actions: [
        {
          type: 'radio_buttons',
          action_id: actionId,
          block_id: blockId,
          selected_option: selected,
          action_ts: String(Date.now() / 1000),
        },
      ],
    });
  }

  /** Picks a day in a date picker of the open modal (YYYY-MM-DD, as the calendar sends it). */
  pickDate(userId: string, blockId: string, actionId: string, day: string): void {
    const view = this.modal(userId);
    const { element } = this.findElement(
      view.blocks.filter((b) => b.block_id === blockId),
      actionId,
    );
    if (element.type !== 'datepicker') throw new WorkspaceError(`${blockId}/${actionId} is not a date picker`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new WorkspaceError(`a date picker cannot send "${day}"`);
    this.ws.setInput(view.id, blockId, actionId, { type: 'datepicker', selected_date: day });
  }

  /** Picks a time in a time picker of the open modal (HH:mm); Slack sends the element's zone back with it. */
  pickTime(userId: string, blockId: string, actionId: string, time: string): void {
    const view = this.modal(userId);
    const { element } = this.findElement(
      view.blocks.filter((b) => b.block_id === blockId),
      actionId,
    );
    if (element.type !== 'timepicker') throw new WorkspaceError(`${blockId}/${actionId} is not a time picker`);
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw new WorkspaceError(`a time picker cannot send "${time}"`);
    this.ws.setInput(view.id, blockId, actionId, {
      type: 'timepicker',
      selected_time: time,
      ...(typeof element.timezone === 'string' ? { timezone: element.timezone } : {}),
    });
  }

  /** Asks the bot for the options of an external select (type-ahead), as Slack does on each keystroke. */
  async options(
    userId: string,
    blockId: string,
    actionId: string,
    query: string,
  ): Promise<{ text: { text: string }; value: string; description?: { text: string } }[]> {
    const view = this.modal(userId);
    const answer = await this.interaction({
      ...this.viewInteraction('block_suggestion', userId, view),
      action_id: actionId,
      block_id: blockId,
      value: query,
    });
    if (answer.status !== 200) throw new WorkspaceError(`options load answered ${answer.status}`);
    return (answer.body as { options?: [] }).options ?? [];
  }

  /** Picks an option of an external select (after loading options); a dispatching input tells the bot. */
  async pickExternal(
    userId: string,
    blockId: string,
    actionId: string,
    query: string,
    value: string,
  ): Promise<BotAnswer | undefined> {
    const options = await this.options(userId, blockId, actionId, query);
    const option = options.find((o) => o.value === value);
    if (!option) throw new WorkspaceError(`no option ${value} for "${query}"`);
    const view = this.modal(userId);
    const selected = { text: { type: 'plain_text' as const, text: option.text.text }, value: option.value };
    const state: StateValue = { type: 'external_select', selected_option: selected };
    this.ws.setInput(view.id, blockId, actionId, state);
    const block = view.blocks.find((b) => b.block_id === blockId);
    if (!block?.dispatch_action) return undefined;
    return this.interaction({
      ...this.viewInteraction('block_actions', userId, this.ws.views.get(view.id)!),
      trigger_id: this.ws.issueTrigger(userId),
      actions: [
        {
          type: 'external_select',
          action_id: actionId,
          block_id: blockId,
          selected_option: selected,
          action_ts: String(Date.now() / 1000),
        },
      ],
    });
  }

  /** Picks several options of a multi external select (each loaded by type-ahead, as Slack does). */
  async pickExternalMany(userId: string, blockId: string, actionId: string, picks: { query: string; value: string }[]) {
    const selected: { text: { type: 'plain_text'; text: string }; value: string }[] = [];
    for (const pick of picks) {
      const option = (await this.options(userId, blockId, actionId, pick.query)).find((o) => o.value === pick.value);
      if (!option) throw new WorkspaceError(`no option ${pick.value} for "${pick.query}"`);
      selected.push({ text: { type: 'plain_text', text: option.text.text }, value: option.value });
    }
    this.ws.setInput(this.modal(userId).id, blockId, actionId, {
      type: 'multi_external_select',
      selected_options: selected,
    });
  }

  /** Presses the modal's submit button and applies the bot's response_action. */
  async submit(userId: string): Promise<BotAnswer & { errors?: Record<string, string> }> {
    const view = this.modal(userId);
    const answer = await this.interaction({
      ...this.viewInteraction('view_submission', userId, view),
      trigger_id: this.ws.issueTrigger(userId),
      response_urls: [],
    });
    if (answer.status !== 200) return answer;
    const body = (typeof answer.body === 'object' ? answer.body : {}) as {
      response_action?: string;
      errors?: Record<string, string>;
      view?: Record<string, unknown>;
    };
    switch (body.response_action) {
      case 'errors':
        return { ...answer, errors: body.errors ?? {} };
      case 'update':
        this.ws.updateView(view.id, body.view ?? {});
        return answer;
      case 'clear':
        this.ws.closeModals(userId);
        return answer;
      default:
        this.ws.closeModals(userId);
        return answer;
    }
  }

  // ---- events -------------------------------------------------------------------------------------

  eventBody(event: Record<string, unknown>, eventId?: string): string {
    return JSON.stringify(this.eventPayload(event, eventId));
  }

  /** The event_callback Slack delivers for an event; `deliver()` it as `events_api`. */
  eventPayload(
    event: Record<string, unknown>,
    eventId = `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
  ): Record<string, unknown> {
    return {
      token: 'deprecated-verification-token',
      team_id: this.ws.team.id,
      api_app_id: this.ws.app.id,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
    };
  }

  /** The person opens the app's Home tab. */
  openHome(userId: string): Promise<BotAnswer> {
    const payload = this.eventPayload({
      type: 'app_home_opened',
      user: userId,
      channel: this.ws.openDm(userId).id,
      tab: 'home',
      event_ts: String(Date.now() / 1000),
    });
    return this.deliver({ type: 'events_api', payload });
  }
}
