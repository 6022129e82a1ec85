import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  assignmentKeyString,
  type AccessRequest,
  type AssignmentKey,
  type AuditEvent,
  type ChatPlatform,
  type Grant,
  type GrantChatCopies,
  type GrantId,
  type MessageRef,
  type RequestId,
} from '../../src';

/**
 * The item layout of the keyless table (design §7): one table, `pk`/`sk` strings, one item per
 * record, written with single-item conditional writes.
 *
 * | pk                                          | sk                                   | what                      |
 * |---------------------------------------------|--------------------------------------|---------------------------|
 * | `REQ#<id>`                                  | `META`                               | an access request         |
 * | `REQ#<id>`                                  | `MSG#<platform>#<channel>#<message>` | a chat message about it   |
 * | `REQ#<id>` / `GRANT#<id>`                   | `EVT#<audit key>`                    | an audit note             |
 * | `GRANT#<id>`                                | `META`                               | a grant (+ lease fields)  |
 * | `ACTIVE#<principal>#<account>#<permset>`    | `GUARD`                              | the one-active-grant slot |
 * | `IDEMP#<key>`                               | `IDEMP`                              | a remembered key          |
 * | `CONV#<key>`                                | `CONV`                               | a Teams conversation ref  |
 * | `MEMBERS`                                   | `MEMBER#<member id>`                 | a replica's heartbeat     |
 * | `SESSIONCUT`                                | `CUT#<principal>`                    | one person's session cut  |
 *
 * `byStatusExpiry` (gsi1pk/gsi1sk) holds open work only: pending and approved requests, live grants
 * by expiry, and ended grants with a CloudTrail activity lookup due (`GRANT#activity`, by due time).
 *
 * Records are stored whole as one JSON string `doc` (get and put stay symmetrical, no marshalling
 * surprises), beside the attributes that conditions and the index read: `version`, `status`,
 * `gsi1pk`/`gsi1sk`, `ttl`, and on grants `leaseOwner`/`leaseUntil`.
 */

export const META = 'META';
export const GSI_NAME = 'byStatusExpiry';
export const TTL_ATTRIBUTE = 'ttl';
export const DEFAULT_RETENTION_DAYS = 400;

export type Item = Record<string, AttributeValue>;
export interface Key {
  pk: string;
  sk: string;
}

export const requestKey = (id: RequestId | string): Key => ({ pk: `REQ#${id}`, sk: META });
export const grantKey = (id: GrantId | string): Key => ({ pk: `GRANT#${id}`, sk: META });
export const slotKey = (key: AssignmentKey): Key => ({ pk: `ACTIVE#${assignmentKeyString(key)}`, sk: 'GUARD' });
export const rememberKey = (key: string): Key => ({ pk: `IDEMP#${key}`, sk: 'IDEMP' });
export const conversationKey = (key: string): Key => ({ pk: `CONV#${key}`, sk: 'CONV' });
export const MEMBERS_PK = 'MEMBERS';
export const MEMBER_PREFIX = 'MEMBER#';
export const memberKey = (memberId: string): Key => ({ pk: MEMBERS_PK, sk: `${MEMBER_PREFIX}${memberId}` });
/** How long a departed member stays on record (TTL clean-up may take longer; reads ignore nothing). */
export const MEMBER_RECORD_SECONDS = 24 * 3600;
export const SESSION_CUT_PK = 'SESSIONCUT';
export const SESSION_CUT_PREFIX = 'CUT#';
export const sessionCutKey = (principalId: string): Key => ({
  pk: SESSION_CUT_PK,
  sk: `${SESSION_CUT_PREFIX}${principalId}`,
});
export const subjectPk = (subject: AuditEvent['subject']): string =>
  subject.kind === 'grant' ? grantKey(subject.id).pk : requestKey(subject.id).pk;
export const NOTE_PREFIX = 'EVT#';
export const noteItemKey = (event: AuditEvent): Key => ({
  pk: subjectPk(event.subject),
  sk: `${NOTE_PREFIX}${event.key}`,
});
export const MESSAGE_PREFIX = 'MSG#';
export const messageRefKey = (requestId: RequestId, ref: MessageRef): Key => ({
  pk: requestKey(requestId).pk,
  sk: `${MESSAGE_PREFIX}${ref.platform}#${ref.channel}#${ref.messageId}`,
});

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });
export const keyItem = (key: Key): Item => ({ pk: s(key.pk), sk: s(key.sk) });

/** Epoch ms, fixed width, so that string order is time order in the index sort key. */
const SORT_WIDTH = 16;
export function sortTime(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(SORT_WIDTH, '0');
}

/**
 * The exclusive upper bound of index sort keys for entries at or before `ms`: every `<time>#<id>`
 * with time <= ms sorts below the next millisecond's bare time. Undefined when nothing can match.
 */
export function sortUpperBound(ms: number): string | undefined {
  const next = Math.floor(ms) + 1;
  return next <= 0 ? undefined : sortTime(next);
}

/**
 * Where a request sits in `byStatusExpiry`. Only open work is indexed (pending requests, approved
 * ones not yet linked to a grant), so the index stays small and a closed request drops out of it.
 */
export function requestIndex(r: AccessRequest): { gsi1pk: string; gsi1sk: string } | undefined {
  const open = r.status === 'pending' || (r.status === 'approved' && !r.grantId);
  return open ? { gsi1pk: `REQ#${r.status}`, gsi1sk: `${sortTime(r.decideBy)}#${r.id}` } : undefined;
}

/** The `byStatusExpiry` partition of ended grants with a CloudTrail activity lookup still to do. */
export const ACTIVITY_DUE_INDEX = 'GRANT#activity';

/**
 * Where a grant sits in `byStatusExpiry`: live grants by expiry (0 until it is known); access that
 * starts later (`scheduled`) by its start, so the sweep reads only the starts that are due; an ended
 * grant only while an activity lookup is due, by when it is due (it leaves the index with the last lookup).
 */
export function grantIndex(g: Grant): { gsi1pk: string; gsi1sk: string } | undefined {
  if (g.status === 'scheduled') return { gsi1pk: 'GRANT#scheduled', gsi1sk: `${sortTime(g.startsAt ?? 0)}#${g.id}` };
  const live = g.status === 'provisioning' || g.status === 'active' || g.status === 'deprovisioning';
  if (live) return { gsi1pk: `GRANT#${g.status}`, gsi1sk: `${sortTime(g.expiresAt ?? 0)}#${g.id}` };
  const dueAt = g.status === 'expired' || g.status === 'revoked' ? g.activity?.dueAt : undefined;
  return dueAt !== undefined ? { gsi1pk: ACTIVITY_DUE_INDEX, gsi1sk: `${sortTime(dueAt)}#${g.id}` } : undefined;
}

const DAY_SECONDS = 24 * 3600;
const lastEventAt = (history: AuditEvent[]): number | undefined => history[history.length - 1]?.at;

/**
 * `ttl` (epoch seconds) for DynamoDB TTL: only closed records get one, at their end plus the
 * retention. TTL is clean-up only (AWS deletes "typically within two days" and expired items still
 * show in reads); nothing in keyless reacts to it.
 */
export function requestTtl(r: AccessRequest, retentionDays: number): number | undefined {
  if (r.status === 'pending') return undefined;
  return ttlAfter(r.decidedAt ?? lastEventAt(r.history) ?? r.createdAt, retentionDays);
}

export function grantTtl(g: Grant, retentionDays: number): number | undefined {
  if (g.status !== 'expired' && g.status !== 'revoked' && g.status !== 'failed') return undefined;
  return ttlAfter(g.endedAt ?? lastEventAt(g.history) ?? g.createdAt, retentionDays);
}

export function ttlAfter(atMs: number, retentionDays: number): number {
  return Math.ceil(atMs / 1000) + Math.round(retentionDays * DAY_SECONDS);
}

/** The attributes a record is written with (besides its key). `undefined` ones are removed on save. */
export interface RecordAttributes {
  doc: string;
  version: number;
  status: string;
  gsi1pk: string | undefined;
  gsi1sk: string | undefined;
  ttl: number | undefined;
}

export function requestAttributes(r: AccessRequest, retentionDays: number): RecordAttributes {
  const index = requestIndex(r);
  return {
    doc: JSON.stringify(r),
    version: r.version,
    status: r.status,
    gsi1pk: index?.gsi1pk,
    gsi1sk: index?.gsi1sk,
    ttl: requestTtl(r, retentionDays),
  };
}

export function grantAttributes(g: Grant, retentionDays: number): RecordAttributes {
  const index = grantIndex(g);
  // The chat copies live in their own attributes (chatCopiesAttribute), never in the record.
  const { chatCopies: _copies, ...record } = g;
  return {
    doc: JSON.stringify(record),
    version: g.version,
    status: g.status,
    gsi1pk: index?.gsi1pk,
    gsi1sk: index?.gsi1sk,
    ttl: grantTtl(g, retentionDays),
  };
}

/** A full item for a first write (PutItem). */
export function recordItem(key: Key, a: RecordAttributes): Item {
  return {
    ...keyItem(key),
    doc: s(a.doc),
    version: n(a.version),
    status: s(a.status),
    ...(a.gsi1pk !== undefined && a.gsi1sk !== undefined ? { gsi1pk: s(a.gsi1pk), gsi1sk: s(a.gsi1sk) } : {}),
    ...(a.ttl !== undefined ? { ttl: n(a.ttl) } : {}),
  };
}

/**
 * An UpdateItem of the record's own attributes: SET what is defined, REMOVE what is not. Other
 * attributes of the item (the lease) are left as they are, which a blind PutItem would wipe.
 */
export function recordUpdate(
  a: RecordAttributes,
  expectedVersion: number,
): {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Item;
} {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Item = { ':expected': n(expectedVersion) };
  const set: string[] = [];
  const remove: string[] = [];
  const fields: [keyof RecordAttributes, AttributeValue | undefined][] = [
    ['doc', s(a.doc)],
    ['version', n(a.version)],
    ['status', s(a.status)],
    ['gsi1pk', a.gsi1pk === undefined || a.gsi1sk === undefined ? undefined : s(a.gsi1pk)],
    ['gsi1sk', a.gsi1pk === undefined || a.gsi1sk === undefined ? undefined : s(a.gsi1sk)],
    ['ttl', a.ttl === undefined ? undefined : n(a.ttl)],
  ];
  for (const [field, value] of fields) {
    names[`#${field}`] = field;
    if (value === undefined) {
      remove.push(`#${field}`);
    } else {
      values[`:${field}`] = value;
      set.push(`#${field} = :${field}`);
    }
  }
  return {
    UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression: '#version = :expected',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Reads the record stored in `doc`. */
/**
 * A grant's chat copies of one platform (Grant.chatCopies): an attribute of the grant's META item
 * beside the record, so that the engine's versioned writes (SET doc, …) leave them alone.
 */
export const chatCopiesAttribute = (platform: ChatPlatform): string => `copies_${platform}`;
const CHAT_PLATFORMS: readonly ChatPlatform[] = ['slack', 'teams'];

/** The chat copies of a grant as attributes, for its first write. */
export function chatCopiesItem(copies: GrantChatCopies | undefined): Item {
  const item: Item = {};
  for (const p of CHAT_PLATFORMS) {
    const list = copies?.[p];
    if (list) item[chatCopiesAttribute(p)] = s(JSON.stringify(list));
  }
  return item;
}

/** A grant from its META item: the record, with the chat copies kept beside it. */
export function grantOf(item: Item | undefined): Grant | undefined {
  const grant = docOf<Grant>(item);
  if (!grant || !item) return grant;
  delete grant.chatCopies;
  const copies: GrantChatCopies = {};
  for (const p of CHAT_PLATFORMS) {
    const json = item[chatCopiesAttribute(p)]?.S;
    if (json !== undefined) copies[p] = JSON.parse(json) as GrantChatCopies[typeof p];
  }
  if (Object.keys(copies).length > 0) grant.chatCopies = copies;
  return grant;
}

export function docOf<T>(item: Item | undefined): T | undefined {
  const doc = item?.['doc']?.S;
  return doc === undefined ? undefined : (JSON.parse(doc) as T);
}

export function stringOf(item: Item | undefined, name: string): string | undefined {
  return item?.[name]?.S;
}

export function numberOf(item: Item | undefined, name: string): number | undefined {
  const value = item?.[name]?.N;
  return value === undefined ? undefined : Number(value);
}
