import { createHmac } from 'node:crypto';

/**
 * The Slack wire format, as the loopback workspace speaks it: request signing, and the shapes of
 * what Slack sends to an app. Written from Slack's documentation, independently of adapters/slack
 * (the workspace must not import the bot it tests).
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function slackSignature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export type Block = { type: string; block_id?: string; [key: string]: unknown };

export interface StateValue {
  type: string;
  value?: string | null;
  selected_option?: { text: { type: 'plain_text'; text: string }; value: string } | null;
  /** Multi-selects (`multi_external_select`, `multi_static_select`). */
  selected_options?: { text: { type: 'plain_text'; text: string }; value: string }[] | null;
  /** `datepicker`: the day, YYYY-MM-DD. */
  selected_date?: string | null;
  /** `timepicker`: the time of day, HH:mm, and the zone the element named (Slack sends it back). */
  selected_time?: string | null;
  timezone?: string;
}
export type StateValues = Record<string, Record<string, StateValue>>;

/** A view as Slack returns it from views.open/update/publish and sends it in payloads. */
export interface WireView {
  id: string;
  team_id: string;
  type: 'modal' | 'home';
  callback_id: string;
  private_metadata: string;
  title?: { type: 'plain_text'; text: string };
  submit?: { type: 'plain_text'; text: string };
  close?: { type: 'plain_text'; text: string };
  blocks: Block[];
  state: { values: StateValues };
  hash: string;
  root_view_id: string;
  previous_view_id: string | null;
  app_id: string;
  bot_id: string;
}

export interface SlackMessageRecord {
  channel: string;
  ts: string;
  /** The bot user that posted (all messages here come from the app). */
  user: string;
  bot_id: string;
  text: string;
  blocks: Block[];
  /** Set by chat.update, as Slack shows "(edited)". */
  edited?: { user: string; ts: string };
  /** A reply in the thread of this message (chat.postMessage `thread_ts`). */
  thread_ts?: string;
  /** Earlier versions, oldest first (the playground can show the history). */
  history: { text: string; blocks: Block[]; at: number }[];
  /** Files shared with the message (files.completeUploadExternal with channel_id). */
  files?: { id: string; name: string; title: string; mimetype: string; size: number; alt_txt?: string }[];
}

export interface EphemeralRecord {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks: Block[];
  /** How it arrived: the ack body, a response_url, or chat.postEphemeral. */
  via: 'ack' | 'response_url' | 'chat.postEphemeral';
}

/** Finds every interactive element of some blocks, with its block. */
export function elementsOf(blocks: Block[]): { block: Block; element: Record<string, unknown> }[] {
  const out: { block: Block; element: Record<string, unknown> }[] = [];
  for (const block of blocks) {
    const elements = Array.isArray(block.elements) ? (block.elements as Record<string, unknown>[]) : [];
    for (const element of elements) if (typeof element.action_id === 'string') out.push({ block, element });
    const accessory = block.accessory as Record<string, unknown> | undefined;
    if (accessory && typeof accessory.action_id === 'string') out.push({ block, element: accessory });
    const element = block.element as Record<string, unknown> | undefined;
    if (element && typeof element.action_id === 'string') out.push({ block, element });
  }
  return out;
}
