/**
 * The playground page: one demo person at a time sees Slack (Block Kit) and Teams (Adaptive Cards)
 * as that person would, and acts there; a side panel shows the AWS emulator's live assignments,
 * keyless' audit trail and the security alerts. Every action is a POST to the page server, which
 * hands it to the loopback Slack workspace or Teams connector; they deliver it to keyless over HTTP.
 */
import {
  collectInputs,
  renderBlocks,
  type Block,
  type BlockKitContext,
  type Element,
  type OptionObject,
} from './block-kit';
import { escapeHtml } from './mrkdwn';
import { grantTimelines } from './timeline';
import { renderCard } from './teams';

interface Person {
  key: string;
  name: string;
  role: string;
  slackId: string;
  teamsAadObjectId: string;
}
interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Block[];
  edited?: unknown;
  /** Files shared with the message (the weekly posture chart). */
  files?: { id: string; title: string; mimetype: string; alt_txt?: string }[];
}
interface Ephemeral extends SlackMessage {
  user: string;
}
interface View {
  id: string;
  hash: string;
  type: string;
  title?: { text: string };
  submit?: { text: string };
  close?: { text: string };
  blocks: Block[];
}
interface Activity {
  id: string;
  from: { id: string; name?: string };
  text?: string;
  createdAt: string;
  updates: number;
  card?: { refresh?: { userIds?: string[] } } & Record<string, unknown>;
  files?: (
    { kind: 'offer'; name: string; description: string; size: number } | { kind: 'file'; name: string; url: string }
  )[];
}
interface State {
  me: Person;
  slack: {
    users: { id: string; name: string }[];
    channels: { id: string; name: string; isIm: boolean; messages: SlackMessage[] }[];
    ephemerals: Ephemeral[];
    modal: View | null;
    home: View | null;
  };
  teams: {
    bot: { id: string; name: string };
    conversations: { id: string; type: string; name: string; activities: Activity[] }[];
  };
  aws: {
    assignments: { principal: string; account: string; accountId: string; permissionSet: string }[];
    operations: {
      kind: string;
      status: string;
      at: number;
      principal: string;
      account: string;
      permissionSet: string;
    }[];
    calls: { at: number; operation: string; outcome: string }[];
    accounts: { id: string; name: string }[];
    permissionSets: string[];
    /** keyless's service control policies in the organization (names). */
    cutPolicies: string[];
    sessions: {
      id: string;
      account: string;
      accountId: string;
      permissionSet: string;
      issuedAt: number;
      expiresAt: number;
      last?: { at: number; ok: boolean; message: string };
    }[];
  };
  audit: { at: number; subject: string; event: string; from: string; to: string; actor: string; reason?: string }[];
  alerts: { at: number; title: string; detail: string }[];
  /** Every IAM access key in the emulator (the rotation controls). */
  iamKeys?: {
    account: string;
    id: string;
    userName: string;
    status: string;
    createdAt: number;
    lastUsedAt: number | null;
  }[];
  /** The loopback PagerDuty's schedules, and who is on call on each now. */
  onCall?: { id: string; name: string; onCall: string[] }[];
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const time = (at: number | string) =>
  new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

let people: Person[] = [];
let me = new URLSearchParams(location.search).get('as') ?? 'rita';
let state: State | undefined;
const slackChannel: Record<string, string> = {};
const teamsConversation: Record<string, string> = {};
const rendered: Record<string, string> = {};
const dismissedViews = new Set<string>();
let modalErrors: Record<string, string> = {};
const refreshed = new Set<string>();

function status(message: string, kind: 'ok' | 'error' | 'busy' = 'ok'): void {
  const bar = $('status');
  bar.textContent = message;
  bar.dataset.kind = kind;
}

async function post(
  route: string,
  body: Record<string, unknown>,
): Promise<{ ok?: boolean; answer?: unknown; error?: string }> {
  const res = await fetch(`/api/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ as: me, ...body }),
  });
  const json = (await res.json()) as { ok?: boolean; answer?: unknown; error?: string };
  if (!res.ok) {
    status(`${route}: ${json.error ?? res.status}`, 'error');
    throw new Error(json.error ?? String(res.status));
  }
  return json;
}

/** Runs a person's action, reports it, and refreshes at once. */
async function act(label: string, route: string, body: Record<string, unknown>): Promise<unknown> {
  status(`${label}…`, 'busy');
  try {
    const result = await post(route, body);
    const answer = result.answer as { status?: number } | undefined;
    status(
      answer?.status && answer.status >= 300 ? `${label}: keyless answered ${answer.status}` : `${label}: sent`,
      answer?.status && answer.status >= 300 ? 'error' : 'ok',
    );
    void poll();
    return result.answer;
  } catch (error) {
    status(`${label}: ${error instanceof Error ? error.message : String(error)}`, 'error');
    return undefined;
  }
}

/** Re-renders a region only when what it shows changed (typing and open menus survive polls). */
function region(name: string, key: unknown, draw: () => void): void {
  const json = JSON.stringify(key);
  if (rendered[name] === json) return;
  rendered[name] = json;
  draw();
}

// ---- people ------------------------------------------------------------------------------------

function drawPeople(): void {
  const bar = $('people');
  bar.innerHTML = '';
  for (const p of people) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `person${p.key === me ? ' active' : ''}`;
    b.dataset.testid = `person-${p.key}`;
    b.innerHTML = `<span class="avatar">${escapeHtml(p.name[0] ?? '?')}</span><span><b>${escapeHtml(p.name)}</b><small>${escapeHtml(p.role)}</small></span>`;
    b.addEventListener('click', () => {
      me = p.key;
      history.replaceState(null, '', `?as=${p.key}`);
      for (const k of Object.keys(rendered)) delete rendered[k];
      modalErrors = {};
      drawPeople();
      void poll();
    });
    bar.append(b);
  }
}

// ---- Slack -------------------------------------------------------------------------------------

function users(): Map<string, string> {
  return new Map((state?.slack.users ?? []).map((u) => [u.id, u.name]));
}

function blockKit(extra: Partial<BlockKitContext> & Pick<BlockKitContext, 'onButton'>): BlockKitContext {
  return { users: users(), ...extra };
}

function currentChannel(s: State): string {
  const chosen = slackChannel[me];
  if (chosen && (chosen === 'home' || s.slack.channels.some((c) => c.id === chosen))) return chosen;
  return s.slack.channels.find((c) => c.isIm)?.id ?? 'home';
}

function drawSlack(s: State): void {
  const channel = currentChannel(s);
  region('slack-sidebar', [me, channel, s.slack.channels.map((c) => [c.id, c.name, c.messages.length])], () => {
    const side = $('slack-sidebar');
    side.innerHTML = '<div class="ws">keyless (local)</div>';
    const item = (id: string, label: string, count?: number) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `slack-channel${id === channel ? ' active' : ''}`;
      b.dataset.testid = `slack-channel-${id}`;
      b.innerHTML = `${label}${count ? `<span class="count">${count}</span>` : ''}`;
      b.addEventListener('click', () => {
        slackChannel[me] = id;
        if (id === 'home') void act('Open App Home', 'slack/home', {});
        delete rendered['slack-sidebar'];
        delete rendered['slack-main'];
        drawSlack(s);
      });
      side.append(b);
    };
    item('home', '🏠 keyless · Home');
    side.append(Object.assign(document.createElement('div'), { className: 'section-title', textContent: 'Channels' }));
    for (const c of s.slack.channels.filter((c) => !c.isIm)) item(c.id, `# ${escapeHtml(c.name)}`, c.messages.length);
    side.append(Object.assign(document.createElement('div'), { className: 'section-title', textContent: 'Apps' }));
    for (const c of s.slack.channels.filter((c) => c.isIm)) item(c.id, '🔑 keyless', c.messages.length);
  });

  const ephemerals = s.slack.ephemerals.filter((e) => channel !== 'home' && e.channel === channel);
  const messages = s.slack.channels.find((c) => c.id === channel)?.messages ?? [];
  region(
    'slack-main',
    [me, channel, messages, ephemerals, channel === 'home' ? s.slack.home : null, s.slack.users],
    () => {
      const list = $('slack-messages');
      list.innerHTML = '';
      const title = $('slack-title');
      if (channel === 'home') {
        title.textContent = 'keyless · Home';
        if (!s.slack.home) {
          list.innerHTML = '<div class="empty">Opening the Home tab…</div>';
          return;
        }
        const home = s.slack.home;
        list.append(
          renderBlocks(
            home.blocks,
            blockKit({
              onButton: (e) =>
                void act(`Click ${e.text?.text ?? e.action_id}`, 'slack/click', {
                  viewId: home.id,
                  actionId: e.action_id,
                  value: e.value,
                }),
            }),
          ),
        );
        return;
      }
      const c = s.slack.channels.find((x) => x.id === channel);
      title.textContent = c?.isIm ? 'keyless (app)' : `# ${c?.name ?? channel}`;
      const all = [
        ...messages.map((m) => ({ m, ephemeral: false })),
        ...ephemerals.map((m) => ({ m: m as SlackMessage, ephemeral: true })),
      ].sort((a, b) => Number(a.m.ts) - Number(b.m.ts));
      if (!all.length) list.innerHTML = '<div class="empty">No messages yet.</div>';
      for (const { m, ephemeral } of all) {
        const node = document.createElement('div');
        node.className = `slack-message${ephemeral ? ' ephemeral' : ''}`;
        node.dataset.testid = ephemeral ? 'slack-ephemeral' : 'slack-message';
        node.dataset.ts = m.ts;
        node.innerHTML = `<div class="avatar app">k</div><div class="body"><div class="meta"><b>keyless</b><span class="app-tag">APP</span><span>${time(Number(m.ts) * 1000)}</span>${m.edited ? '<span>(edited)</span>' : ''}${ephemeral ? '<span class="only-you">Only visible to you</span>' : ''}</div></div>`;
        const body = node.querySelector('.body')!;
        if (m.blocks.length) {
          body.append(
            renderBlocks(
              m.blocks,
              blockKit({
                onButton: (e) => {
                  if (ephemeral)
                    return status('Buttons on ephemeral messages are not wired in the playground', 'error');
                  void act(`Click ${e.text?.text ?? e.action_id}`, 'slack/click', {
                    channel: m.channel,
                    ts: m.ts,
                    actionId: e.action_id,
                    value: e.value,
                  });
                },
              }),
            ),
          );
        } else {
          const text = document.createElement('div');
          text.className = 'bk-text';
          text.textContent = m.text;
          body.append(text);
        }
        for (const f of m.files ?? []) {
          if (f.mimetype !== 'image/png') continue;
          body.append(
            Object.assign(document.createElement('img'), {
              src: `/slack-files/${encodeURIComponent(f.id)}`,
              alt: f.alt_txt ?? f.title,
              title: f.title,
              className: 'bk-image slack-file',
            }),
          );
        }
        list.append(node);
      }
      list.scrollTop = list.scrollHeight;
    },
  );
  drawModal(s);
}

function drawModal(s: State): void {
  const view = s.slack.modal && !dismissedViews.has(s.slack.modal.hash) ? s.slack.modal : null;
  region('slack-modal', [me, view?.id, view?.hash, modalErrors], () => {
    const overlay = $('slack-modal');
    // Keep what the person typed across a views.update (Slack keeps inputs that are still there).
    const typed = new Map<string, string>();
    overlay.querySelectorAll<HTMLInputElement>('[data-kind]').forEach((n) => {
      if (n.dataset.kind !== 'external_select') typed.set(`${n.dataset.blockId}/${n.dataset.actionId}`, n.value);
    });
    overlay.innerHTML = '';
    overlay.hidden = !view;
    if (!view) return;
    const dialog = document.createElement('div');
    dialog.className = 'modal';
    dialog.dataset.testid = 'slack-modal';
    dialog.innerHTML = `<header><b>${escapeHtml(view.title?.text ?? '')}</b><button type="button" class="x" aria-label="Close">×</button></header>`;
    const body = renderBlocks(
      view.blocks,
      blockKit({
        errors: modalErrors,
        onButton: (e) =>
          void act(`Click ${e.text?.text ?? e.action_id}`, 'slack/click', {
            viewId: view.id,
            actionId: e.action_id,
            value: e.value,
          }),
        loadOptions: async (block: Block, element: Element, query: string): Promise<OptionObject[]> => {
          const result = await post('slack/options', { blockId: block.block_id, actionId: element.action_id, query });
          return (result.answer as OptionObject[] | undefined) ?? [];
        },
        onChoose: (block, element, option) =>
          void act(`Choose ${option.text.text}`, 'slack/choose', {
            blockId: block.block_id,
            actionId: element.action_id,
            value: option.value,
          }),
        onPickExternal: (block, element, query, option) =>
          void act(`Pick ${option.text.text}`, 'slack/pick-external', {
            blockId: block.block_id,
            actionId: element.action_id,
            query,
            value: option.value,
          }),
      }),
    );
    body.classList.add('modal-body');
    body.querySelectorAll<HTMLInputElement>('[data-kind]').forEach((n) => {
      const before = typed.get(`${n.dataset.blockId}/${n.dataset.actionId}`);
      if (before !== undefined && n.dataset.kind !== 'external_select' && !n.value) n.value = before;
    });
    dialog.append(body);
    const footer = document.createElement('footer');
    const close = () => {
      dismissedViews.add(view.hash);
      modalErrors = {};
      drawModal(s);
    };
    if (view.close) {
      const cancel = Object.assign(document.createElement('button'), {
        type: 'button',
        className: 'bk-button',
        textContent: view.close.text,
      });
      cancel.addEventListener('click', close);
      footer.append(cancel);
    }
    if (view.submit) {
      const submit = Object.assign(document.createElement('button'), {
        type: 'button',
        className: 'bk-button bk-primary',
        textContent: view.submit.text,
      });
      submit.dataset.testid = 'slack-modal-submit';
      submit.addEventListener('click', () => {
        void (async () => {
          const answer = (await act(`Submit ${view.title?.text ?? 'form'}`, 'slack/submit', {
            inputs: collectInputs(body),
          })) as { errors?: Record<string, string> } | undefined;
          modalErrors = answer?.errors ?? {};
          if (answer?.errors) status('The form has problems: see the fields', 'error');
          delete rendered['slack-modal'];
          void poll();
        })();
      });
      footer.append(submit);
    }
    dialog.querySelector('.x')!.addEventListener('click', close);
    dialog.append(footer);
    overlay.append(dialog);
  });
}

// ---- Teams -------------------------------------------------------------------------------------

function drawTeams(s: State): void {
  const conversations = s.teams.conversations;
  const chosen = teamsConversation[me];
  const current =
    conversations.find((c) => c.id === chosen) ?? conversations.find((c) => c.type === 'personal') ?? conversations[0];
  region('teams-tabs', [me, current?.id, conversations.map((c) => [c.id, c.activities.length])], () => {
    const tabs = $('teams-tabs');
    tabs.innerHTML = '';
    for (const c of conversations) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `teams-tab${c.id === current?.id ? ' active' : ''}`;
      b.dataset.testid = `teams-conversation-${c.type === 'personal' ? 'chat' : c.name.split('›').pop()!.trim()}`;
      b.innerHTML = `${c.type === 'personal' ? '💬' : '#'} ${escapeHtml(c.name)}<span class="count">${c.activities.length}</span>`;
      b.addEventListener('click', () => {
        teamsConversation[me] = c.id;
        delete rendered['teams-tabs'];
        delete rendered['teams-main'];
        drawTeams(s);
      });
      tabs.append(b);
    }
  });
  $('teams-compose').hidden = current?.type !== 'personal';
  region('teams-main', [me, current], () => {
    const list = $('teams-messages');
    list.innerHTML = '';
    if (!current) {
      list.innerHTML = '<div class="empty">keyless is not installed for this person.</div>';
      return;
    }
    if (!current.activities.length) list.innerHTML = '<div class="empty">No messages yet.</div>';
    for (const a of current.activities) {
      const mine = a.from.id !== s.teams.bot.id && !a.from.id.startsWith('28:');
      const node = document.createElement('div');
      node.className = `teams-message${mine ? ' mine' : ''}`;
      node.dataset.testid = 'teams-message';
      node.dataset.activityId = a.id;
      node.innerHTML = `<div class="meta"><b>${escapeHtml(mine ? (a.from.name ?? 'You') : 'keyless')}</b><span>${time(a.createdAt)}</span>${a.updates ? '<span>Edited</span>' : ''}</div>`;
      if (a.text && !a.card)
        node.append(Object.assign(document.createElement('div'), { className: 'teams-text', textContent: a.text }));
      if (a.card) {
        node.append(
          renderCard(a.card, {
            execute: (verb, data) =>
              void act(`Teams: ${verb || 'submit'}`, 'teams/invoke', { activityId: a.id, verb, data }),
          }),
        );
      }
      for (const f of a.files ?? []) node.append(teamsFile(a.id, f));
      list.append(node);
    }
    list.scrollTop = list.scrollHeight;
  });
  // Teams refreshes a card with `refresh` for the people it lists (or everyone in small chats) when they see it.
  const mri = `29:${s.me.teamsAadObjectId}`;
  for (const a of current?.activities ?? []) {
    const refresh = a.card?.refresh;
    if (!refresh) continue;
    if (refresh.userIds?.length && !refresh.userIds.includes(mri)) continue;
    const key = `${me}|${a.id}|${a.updates}`;
    if (refreshed.has(key)) continue;
    refreshed.add(key);
    void post('teams/refresh', { activityId: a.id }).then(() => poll());
  }
}

/** A file offer (Allow / Decline, as Teams shows a FileConsentCard) or a saved file (a FileInfoCard's link). */
function teamsFile(activityId: string, f: NonNullable<Activity['files']>[number]): HTMLElement {
  const box = document.createElement('div');
  box.className = 'teams-file';
  box.dataset.testid = f.kind === 'offer' ? 'teams-file-offer' : 'teams-file';
  const name = Object.assign(document.createElement('b'), { textContent: f.name });
  if (f.kind === 'file') {
    const link = Object.assign(document.createElement('a'), { href: f.url, target: '_blank', rel: 'noopener' });
    link.append(name);
    box.append(link);
    return box;
  }
  box.append(
    name,
    Object.assign(document.createElement('span'), { textContent: ` · ${Math.ceil(f.size / 1024)} KB` }),
    Object.assign(document.createElement('p'), { textContent: f.description }),
  );
  for (const [label, action] of [
    ['Allow', 'accept'],
    ['Decline', 'decline'],
  ] as const) {
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: label });
    button.addEventListener(
      'click',
      () => void act(`Teams: ${label} ${f.name}`, 'teams/file-consent', { activityId, action }),
    );
    box.append(button);
  }
  return box;
}

// ---- AWS, audit, alerts ------------------------------------------------------------------------

function drawPanel(s: State): void {
  region('aws', s.aws.assignments, () => {
    const rows = s.aws.assignments
      .map(
        (a) =>
          `<tr data-testid="assignment"><td>${escapeHtml(a.principal)}</td><td>${escapeHtml(a.account)}<small>${a.accountId}</small></td><td>${escapeHtml(a.permissionSet)}</td></tr>`,
      )
      .join('');
    $('assignments').innerHTML =
      rows ||
      '<tr><td colspan="3" class="empty" data-testid="no-assignments">No assignments: nobody has access.</td></tr>';
  });
  region('session-choices', [s.aws.accounts, s.aws.permissionSets], () => {
    $('session-account').innerHTML = s.aws.accounts
      .map((a) => `<option value="${escapeHtml(a.id)}">${escapeHtml(a.name)} (${escapeHtml(a.id)})</option>`)
      .join('');
    $('session-ps').innerHTML = s.aws.permissionSets
      .map((p) => `<option value="${escapeHtml(p)}">${escapeHtml(p)}</option>`)
      .join('');
  });
  region('sessions', s.aws.sessions, () => {
    $('sessions').innerHTML =
      s.aws.sessions
        .map((x) => {
          const outcome = !x.last
            ? ''
            : x.last.ok
              ? ' <b class="ok" data-testid="session-works">✓ works</b>'
              : ` <b class="denied" data-testid="session-denied">✗ denied</b> <small>${escapeHtml(x.last.message)}</small>`;
          return (
            `<li data-testid="session"><span>${time(x.issuedAt)}</span> ${escapeHtml(x.permissionSet)} in ${escapeHtml(x.account)}` +
            ` <button type="button" class="small" data-session="${escapeHtml(x.id)}" data-testid="session-try">Try a call</button>${outcome}</li>`
          );
        })
        .join('') || '<li class="empty">No session: take one to see what a grant leaves behind.</li>';
  });
  region('cut-policies', s.aws.cutPolicies, () => {
    $('session-cut').textContent = s.aws.cutPolicies.length
      ? `keyless's session-cut policies in force: ${s.aws.cutPolicies.join(', ')}`
      : 'No session-cut policy: removing an assignment leaves live sessions working until they expire.';
  });
  region('calls', s.aws.calls.slice(0, 8), () => {
    $('aws-calls').innerHTML = s.aws.calls
      .slice(0, 8)
      .map(
        (c) => `<li><span>${time(c.at)}</span> ${escapeHtml(c.operation)} <small>${escapeHtml(c.outcome)}</small></li>`,
      )
      .join('');
  });
  region('on-call', s.onCall ?? [], () => {
    $('on-call').innerHTML =
      (s.onCall ?? [])
        .map(
          (c) =>
            `<li data-testid="on-call-schedule"><b>pagerduty:${escapeHtml(c.id)}</b> on call: ${escapeHtml(c.onCall.join(', ') || 'nobody')} <button type="button" class="small" data-schedule="${escapeHtml(c.id)}" data-testid="go-on-call">Put me on call</button> <button type="button" class="small" data-schedule="${escapeHtml(c.id)}" data-nobody="true">Nobody</button></li>`,
        )
        .join('') || '<li class="empty">The policy names no on-call schedule.</li>';
  });
  region('alerts', s.alerts, () => {
    $('alerts').innerHTML =
      s.alerts
        .map(
          (a) =>
            `<li data-testid="alert"><span>${time(a.at)}</span> <b>${escapeHtml(a.title)}</b> ${escapeHtml(a.detail)}</li>`,
        )
        .join('') || '<li class="empty">No alerts.</li>';
  });
  region('iam-keys', s.iamKeys ?? [], () => {
    const day = 86_400_000;
    $('iam-keys').innerHTML =
      (s.iamKeys ?? [])
        .map((k) => {
          const ids = `data-account="${escapeHtml(k.account)}" data-key="${escapeHtml(k.id)}" data-user="${escapeHtml(k.userName)}"`;
          const used =
            k.lastUsedAt === null ? 'never used' : `used ${Math.floor((Date.now() - k.lastUsedAt) / day)} d ago`;
          return (
            `<li data-testid="iam-key"><b>${escapeHtml(k.userName)}</b> <small>${escapeHtml(k.account)}</small> …${escapeHtml(k.id.slice(-4))} ${escapeHtml(k.status)}, ${Math.floor((Date.now() - k.createdAt) / day)} d old, ${used}` +
            ` <button type="button" class="small" data-iam="age-key" ${ids} data-testid="key-age">Make it 100 days older</button>` +
            ` <button type="button" class="small" data-iam="use-key" ${ids} data-testid="key-use">Use it now</button>` +
            ` <button type="button" class="small" data-iam="create-key" ${ids} data-testid="key-add">Add a second key</button></li>`
          );
        })
        .join('') || '<li class="empty">No IAM access keys in the emulator.</li>';
  });
  region('audit', s.audit, () => {
    // The latest grants' timelines (requested → approved → active → ended → sessions cut → activity).
    $('timelines').innerHTML = grantTimelines(s.audit, time);
    $('audit').innerHTML =
      s.audit
        .map(
          (e) =>
            `<li data-testid="audit"><span>${time(e.at)}</span> <b>${escapeHtml(e.event)}</b> ${escapeHtml(e.subject)} <i>${escapeHtml(e.from)} → ${escapeHtml(e.to)}</i> by ${escapeHtml(e.actor)}${e.reason ? ` <small>(${escapeHtml(e.reason)})</small>` : ''}</li>`,
        )
        .join('') || '<li class="empty">Nothing yet.</li>';
  });
}

// ---- loop --------------------------------------------------------------------------------------

let polling = false;
async function poll(): Promise<void> {
  if (polling) return;
  polling = true;
  try {
    const asked = me;
    const res = await fetch(`/api/state?as=${encodeURIComponent(asked)}`);
    if (!res.ok) throw new Error(`state: HTTP ${res.status}`);
    const next = (await res.json()) as State;
    if (asked !== me) return;
    state = next;
    drawSlack(next);
    drawTeams(next);
    drawPanel(next);
    document.body.dataset.ready = 'true';
  } catch (error) {
    status(`The playground is not answering: ${error instanceof Error ? error.message : String(error)}`, 'error');
  } finally {
    polling = false;
  }
}

function wireComposers(): void {
  const slackForm = $<HTMLFormElement>('slack-compose');
  slackForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = slackForm.querySelector('input')!;
    const text = input.value.trim();
    if (!text) return;
    if (!text.startsWith('/aws-access')) {
      status('Only the /aws-access command reaches keyless in Slack', 'error');
      return;
    }
    input.value = '';
    const channel = state ? currentChannel(state) : undefined;
    void act(text, 'slack/command', { text, ...(channel && channel !== 'home' ? { channel } : {}) });
  });
  const teamsForm = $<HTMLFormElement>('teams-compose');
  teamsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = teamsForm.querySelector('input')!;
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    void act(`Teams: ${text}`, 'teams/say', { text });
  });
  $<HTMLFormElement>('session-take').addEventListener('submit', (event) => {
    event.preventDefault();
    const accountId = $<HTMLSelectElement>('session-account').value;
    const permissionSet = $<HTMLSelectElement>('session-ps').value;
    void act(`Take a ${permissionSet} session in ${accountId}`, 'aws/session/take', { accountId, permissionSet });
  });
  $('sessions').addEventListener('click', (event) => {
    const id = (event.target as HTMLElement).closest<HTMLElement>('[data-session]')?.dataset.session;
    if (id) void act('Try a call with the session', 'aws/session/try', { id });
  });
  $('on-call').addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest('button');
    const schedule = button?.dataset.schedule;
    if (!button || !schedule) return;
    const nobody = button.dataset.nobody === 'true';
    void act(nobody ? `Nobody on call on ${schedule}` : `On call now on ${schedule}`, 'pagerduty/on-call', {
      schedule,
      ...(nobody ? { nobody: true } : {}),
    });
  });
  $('iam-keys').addEventListener('click', (event) => {
    const b = (event.target as HTMLElement).closest<HTMLElement>('button[data-iam]');
    if (!b) return;
    const { iam, account, key, user } = b.dataset;
    const what =
      iam === 'age-key'
        ? `Key …${key?.slice(-4)} made 100 days older`
        : iam === 'use-key'
          ? `Key …${key?.slice(-4)} used now`
          : `A second key for ${user}`;
    void act(what, `aws/iam/${iam}`, { account, accessKeyId: key, user });
  });
  $('scan-now').addEventListener('click', () => void act('Key scan now', 'keyless/scan-now', {}));
  $('posture-now').addEventListener('click', () => {
    void act('Post weekly posture now', 'keyless/posture-now', {}).then((answer) => {
      const a = answer as { posted?: boolean; week?: string } | undefined;
      if (a && a.posted === false)
        status(`The posture of ${a.week ?? 'this week'} is already posted: one post per week`, 'ok');
    });
  });
  $('assign-outside').addEventListener('click', () => {
    void act('Assign AdministratorAccess in prod outside keyless', 'aws/assign-outside-keyless', {});
  });
}

async function main(): Promise<void> {
  const config = (await (await fetch('/api/config')).json()) as { people: Person[] };
  people = config.people;
  if (!people.some((p) => p.key === me)) me = people[0]?.key ?? 'rita';
  drawPeople();
  wireComposers();
  await poll();
  setInterval(() => void poll(), 1000);
}

void main();
