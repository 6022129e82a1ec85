/**
 * A small Block Kit renderer for the block types keyless uses: header, section (text, fields,
 * button accessory), context, divider, actions (buttons, selects) and input (plain_text_input,
 * static_select, external_select, radio_buttons, datepicker, timepicker) with label, hint and optional. Unknown blocks are shown as such,
 * so that a new block type in keyless is noticed here.
 * https://docs.slack.dev/reference/block-kit/blocks
 */
import { escapeHtml, mrkdwn, plainText } from './mrkdwn';

export interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}
export interface OptionObject {
  text: TextObject;
  value: string;
  description?: TextObject;
}
export type Element = {
  type: string;
  action_id?: string;
  text?: TextObject;
  value?: string;
  style?: 'primary' | 'danger';
  placeholder?: TextObject;
  options?: OptionObject[];
  initial_option?: OptionObject;
  initial_value?: string;
  multiline?: boolean;
  image_url?: string;
  alt_text?: string;
  initial_date?: string;
  initial_time?: string;
  /** A timepicker's zone, shown beside it as Slack does. */
  timezone?: string;
};
export type Block = {
  type: string;
  block_id?: string;
  text?: TextObject;
  fields?: TextObject[];
  accessory?: Element;
  elements?: (Element | TextObject)[];
  element?: Element;
  label?: TextObject;
  hint?: TextObject;
  optional?: boolean;
  dispatch_action?: boolean;
};

export interface BlockKitContext {
  /** Slack user id → display name, for mentions. */
  users: Map<string, string>;
  /** A button was clicked. */
  onButton(element: Element, block: Block): void;
  /** An external select wants options for a query. */
  loadOptions?(block: Block, element: Element, query: string): Promise<OptionObject[]>;
  /** An external select's option was picked. */
  onPickExternal?(block: Block, element: Element, query: string, option: OptionObject): void;
  /** A radio button was chosen (a dispatching input block tells the app at once). */
  onChoose?(block: Block, element: Element, option: OptionObject): void;
  /** Input errors of a modal submission, by block_id. */
  errors?: Record<string, string>;
}

export function text(t: TextObject | undefined, ctx: BlockKitContext): string {
  if (!t) return '';
  return t.type === 'mrkdwn' ? mrkdwn(t.text, ctx.users) : plainText(t.text);
}

function el(tag: string, className: string, html?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (html !== undefined) node.innerHTML = html;
  return node;
}

function button(element: Element, block: Block, ctx: BlockKitContext): HTMLElement {
  const b = el('button', `bk-button${element.style ? ` bk-${element.style}` : ''}`, text(element.text, ctx));
  b.setAttribute('type', 'button');
  b.dataset.actionId = element.action_id ?? '';
  b.addEventListener('click', () => ctx.onButton(element, block));
  return b;
}

function staticSelect(element: Element, block: Block): HTMLElement {
  const select = document.createElement('select');
  select.className = 'bk-select';
  select.dataset.blockId = block.block_id ?? '';
  select.dataset.actionId = element.action_id ?? '';
  select.dataset.kind = 'static_select';
  const placeholder = document.createElement('option');
  placeholder.value = '';
  placeholder.textContent = element.placeholder?.text ?? 'Choose…';
  select.append(placeholder);
  for (const o of element.options ?? []) {
    const option = document.createElement('option');
    option.value = o.value;
    option.textContent = o.description ? `${o.text.text} — ${o.description.text}` : o.text.text;
    if (element.initial_option?.value === o.value) option.selected = true;
    select.append(option);
  }
  return select;
}

/** Slack's type-ahead select: each keystroke asks the app for options (block_suggestion). */
function externalSelect(element: Element, block: Block, ctx: BlockKitContext): HTMLElement {
  const wrap = el('div', 'bk-external');
  const input = document.createElement('input');
  input.className = 'bk-input';
  input.placeholder = element.placeholder?.text ?? 'Search';
  input.dataset.blockId = block.block_id ?? '';
  input.dataset.actionId = element.action_id ?? '';
  input.dataset.kind = 'external_select';
  input.setAttribute('autocomplete', 'off');
  if (element.initial_option) {
    input.value = element.initial_option.text.text;
    input.dataset.selected = element.initial_option.value;
  }
  const list = el('ul', 'bk-options');
  list.hidden = true;
  let seq = 0;
  const load = async () => {
    if (!ctx.loadOptions) return;
    const mine = ++seq;
    const query = input.dataset.selected ? '' : input.value;
    const options = await ctx.loadOptions(block, element, query);
    if (mine !== seq) return;
    list.innerHTML = '';
    for (const o of options) {
      const item = el(
        'li',
        'bk-option',
        `<b>${escapeHtml(o.text.text)}</b>${o.description ? `<small>${escapeHtml(o.description.text)}</small>` : ''}`,
      );
      item.dataset.value = o.value;
      item.addEventListener('mousedown', (event) => {
        event.preventDefault();
        input.value = o.text.text;
        input.dataset.selected = o.value;
        list.hidden = true;
        ctx.onPickExternal?.(block, element, query, o);
      });
      list.append(item);
    }
    if (!options.length) list.append(el('li', 'bk-option bk-empty', 'No results'));
    list.hidden = false;
  };
  input.addEventListener('focus', () => void load());
  input.addEventListener('input', () => {
    delete input.dataset.selected;
    void load();
  });
  input.addEventListener('blur', () => setTimeout(() => (list.hidden = true), 150));
  wrap.append(input, list);
  return wrap;
}

function textInput(element: Element, block: Block): HTMLElement {
  const input = element.multiline ? document.createElement('textarea') : document.createElement('input');
  input.className = 'bk-input';
  input.placeholder = element.placeholder?.text ?? '';
  input.value = element.initial_value ?? '';
  input.dataset.blockId = block.block_id ?? '';
  input.dataset.actionId = element.action_id ?? '';
  input.dataset.kind = 'plain_text_input';
  return input;
}

/** Radio buttons: one choice; the checked value is sent with the form, and a change may dispatch. */
function radioButtons(element: Element, block: Block, ctx: BlockKitContext): HTMLElement {
  const wrap = el('div', 'bk-radios');
  const name = `${block.block_id ?? ''}/${element.action_id ?? ''}`;
  for (const o of element.options ?? []) {
    const label = el('label', 'bk-radio');
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = name;
    input.value = o.value;
    input.checked = element.initial_option?.value === o.value;
    input.addEventListener('change', () => {
      if (input.checked) ctx.onChoose?.(block, element, o);
    });
    label.append(
      input,
      el(
        'span',
        '',
        `${escapeHtml(o.text.text)}${o.description ? ` <small>${escapeHtml(o.description.text)}</small>` : ''}`,
      ),
    );
    wrap.append(label);
  }
  return wrap;
}

/** A datepicker (YYYY-MM-DD) or a timepicker (HH:mm, with its zone beside it). */
function picker(element: Element, block: Block): HTMLElement {
  const input = document.createElement('input');
  input.className = 'bk-input';
  input.type = element.type === 'datepicker' ? 'date' : 'time';
  input.value = (element.type === 'datepicker' ? element.initial_date : element.initial_time) ?? '';
  input.dataset.blockId = block.block_id ?? '';
  input.dataset.actionId = element.action_id ?? '';
  input.dataset.kind = element.type;
  if (element.type !== 'timepicker' || !element.timezone) return input;
  const wrap = el('div', 'bk-picker');
  wrap.append(input, el('small', 'bk-zone', escapeHtml(element.timezone)));
  return wrap;
}

function element(e: Element, block: Block, ctx: BlockKitContext): HTMLElement {
  switch (e.type) {
    case 'radio_buttons':
      return radioButtons(e, block, ctx);
    case 'datepicker':
    case 'timepicker':
      return picker(e, block);
    case 'button':
      return button(e, block, ctx);
    case 'static_select':
      return staticSelect(e, block);
    case 'external_select':
      return externalSelect(e, block, ctx);
    case 'plain_text_input':
      return textInput(e, block);
    case 'image':
      return Object.assign(document.createElement('img'), {
        src: e.image_url ?? '',
        alt: e.alt_text ?? '',
        className: 'bk-image',
      });
    default:
      return el('span', 'bk-unknown', `[${escapeHtml(e.type)}]`);
  }
}

function renderBlock(block: Block, ctx: BlockKitContext): HTMLElement {
  const node = el('div', `bk-block bk-${block.type}`);
  if (block.block_id) node.dataset.blockId = block.block_id;
  switch (block.type) {
    case 'header':
      node.innerHTML = text(block.text, ctx);
      break;
    case 'divider':
      node.append(document.createElement('hr'));
      break;
    case 'section': {
      const body = el('div', 'bk-section-body');
      if (block.text) body.append(el('div', 'bk-text', text(block.text, ctx)));
      if (block.fields?.length) {
        const fields = el('div', 'bk-fields');
        for (const f of block.fields) fields.append(el('div', 'bk-field', text(f, ctx)));
        body.append(fields);
      }
      node.append(body);
      if (block.accessory) node.append(element(block.accessory, block, ctx));
      break;
    }
    case 'context':
      for (const e of block.elements ?? []) {
        if (e.type === 'mrkdwn' || e.type === 'plain_text') node.append(el('span', '', text(e as TextObject, ctx)));
        else node.append(element(e as Element, block, ctx));
      }
      break;
    case 'actions':
      for (const e of block.elements ?? []) node.append(element(e as Element, block, ctx));
      break;
    case 'input': {
      const label = el(
        'label',
        'bk-label',
        `${text(block.label, ctx)}${block.optional ? ' <small>(optional)</small>' : ''}`,
      );
      node.append(label);
      if (block.element) node.append(element(block.element, block, ctx));
      const error = block.block_id ? ctx.errors?.[block.block_id] : undefined;
      if (error) node.append(el('div', 'bk-error', escapeHtml(error)));
      if (block.hint) node.append(el('div', 'bk-hint', text(block.hint, ctx)));
      break;
    }
    default:
      node.innerHTML = `<span class="bk-unknown">[${escapeHtml(block.type)} block]</span>`;
  }
  return node;
}

export function renderBlocks(blocks: Block[], ctx: BlockKitContext): HTMLElement {
  const root = el('div', 'bk-blocks');
  for (const block of blocks) root.append(renderBlock(block, ctx));
  return root;
}

/** What a person typed and picked in a rendered view, as the page sends it before submitting. */
export function collectInputs(root: HTMLElement): { blockId: string; actionId: string; kind: string; value: string }[] {
  const out: { blockId: string; actionId: string; kind: string; value: string }[] = [];
  root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('[data-kind]').forEach((node) => {
    const kind = node.dataset.kind ?? '';
    if (kind === 'external_select') return; // sent when picked (the modal re-renders on it)
    out.push({ blockId: node.dataset.blockId ?? '', actionId: node.dataset.actionId ?? '', kind, value: node.value });
  });
  return out;
}
