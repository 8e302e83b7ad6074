import { LRUCache } from 'lru-cache';
import type { Answer } from '../core/answer.js';
import type { SubjectKind } from '../core/kinds.js';
import type { Logger } from '../log.js';
import { safeError } from './safe-error.js';

/** What a thread is about: the last pod/container/… netpeek answered about in it. */
export interface ThreadSubject {
  kind: SubjectKind;
  name: string;
  namespace?: string;
}

/** Subjects worth remembering; help pages, topics and reports are not something to "ping". */
export const REMEMBERED_KINDS: ReadonlySet<SubjectKind> = new Set<SubjectKind>(['container', 'pod', 'service', 'node', 'network', 'ip']);

/** Slack message metadata `event_type` on every reply netpeek posts. */
export const METADATA_EVENT_TYPE = 'netpeek_answer';

export interface AnswerMetadata {
  event_type: typeof METADATA_EVENT_TYPE;
  event_payload: {
    subject_kind?: string;
    subject_name?: string;
    namespace?: string;
    /** The Events API event this reply answers; lets another replica see a retry was already answered. */
    event_id?: string;
  };
}

/** Docker and Kubernetes names (and IPs): anything else ("all networks") is a summary, not a subject. */
const SUBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,252}$/;

export function subjectOf(answer: Answer): ThreadSubject | undefined {
  const s = answer.subject;
  if (!s || !REMEMBERED_KINDS.has(s.kind) || !SUBJECT_NAME.test(s.name)) return undefined;
  return { kind: s.kind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) };
}

/** Metadata to attach to a reply (values must be strings: undefined fields are left out). */
export function answerMetadata(subject: ThreadSubject | undefined, eventId?: string): AnswerMetadata {
  const payload: AnswerMetadata['event_payload'] = {};
  if (subject) {
    payload.subject_kind = subject.kind;
    payload.subject_name = subject.name;
    if (subject.namespace) payload.namespace = subject.namespace;
  }
  if (eventId) payload.event_id = eventId;
  return { event_type: METADATA_EVENT_TYPE, event_payload: payload };
}

interface MessageLike {
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

function subjectFromMetadata(m: MessageLike): ThreadSubject | undefined {
  if (m.metadata?.event_type !== METADATA_EVENT_TYPE) return undefined;
  const p = m.metadata.event_payload ?? {};
  const kind = p.subject_kind;
  const name = p.subject_name;
  if (typeof kind !== 'string' || typeof name !== 'string' || !REMEMBERED_KINDS.has(kind as SubjectKind) || !SUBJECT_NAME.test(name)) return undefined;
  const ns = p.namespace;
  return { kind: kind as SubjectKind, name, ...(typeof ns === 'string' && ns !== '' ? { namespace: ns } : {}) };
}

/** What a thread's messages (oldest first, as conversations.replies returns them) say. */
export function readThreadMessages(messages: readonly MessageLike[]): { subject?: ThreadSubject; answeredEvents: Set<string> } {
  let subject: ThreadSubject | undefined;
  const answeredEvents = new Set<string>();
  for (const m of messages) {
    subject = subjectFromMetadata(m) ?? subject;
    const eventId = m.metadata?.event_type === METADATA_EVENT_TYPE ? m.metadata.event_payload?.event_id : undefined;
    if (typeof eventId === 'string') answeredEvents.add(eventId);
  }
  return { subject, answeredEvents };
}

/** The Web API methods thread memory reads with (Bolt's WebClient satisfies it). */
export interface ThreadReader {
  conversations: {
    replies(args: { channel: string; ts: string; include_all_metadata: boolean; limit: number; cursor?: string }): Promise<{
      messages?: MessageLike[];
      response_metadata?: { next_cursor?: string };
    }>;
    history(args: { channel: string; include_all_metadata: boolean; limit: number }): Promise<{ messages?: MessageLike[] }>;
  };
}

/** Where a conversation's subject lives: a thread (channel + root ts) or a DM's top level (channel only). */
export interface Conversation {
  channel: string;
  threadTs?: string;
}

const keyOf = (c: Conversation): string => `${c.channel}:${c.threadTs ?? ''}`;
const MAX_PAGES = 5;

/**
 * Thread memory that works across replicas: the truth is the metadata on netpeek's own replies in Slack,
 * read back with conversations.replies (or conversations.history at a DM's top level); a bounded LRU
 * saves the read when this replica answered in the thread recently.
 */
export class ThreadMemory {
  private readonly cache: LRUCache<string, ThreadSubject> | undefined;

  constructor(
    size: number,
    private readonly log: Logger,
  ) {
    this.cache = size > 0 ? new LRUCache<string, ThreadSubject>({ max: size }) : undefined;
  }

  remember(conv: Conversation, subject: ThreadSubject): void {
    this.cache?.set(keyOf(conv), subject);
  }

  /** The conversation's subject: from the cache, else read back from Slack. Undefined when none is known. */
  async recall(client: ThreadReader, conv: Conversation): Promise<ThreadSubject | undefined> {
    const cached = this.cache?.get(keyOf(conv));
    if (cached) return cached;
    const { subject } = await this.read(client, conv);
    if (subject) this.cache?.set(keyOf(conv), subject);
    return subject;
  }

  /** True when a reply in the conversation already carries this event id (another replica answered it). */
  async answered(client: ThreadReader, conv: Conversation, eventId: string): Promise<boolean> {
    return (await this.read(client, conv)).answeredEvents.has(eventId);
  }

  private async read(client: ThreadReader, conv: Conversation): Promise<ReturnType<typeof readThreadMessages>> {
    try {
      if (!conv.threadTs) {
        // A DM's top level: newest first; the latest answer is the subject.
        const res = await client.conversations.history({ channel: conv.channel, include_all_metadata: true, limit: 50 });
        return readThreadMessages([...(res.messages ?? [])].reverse());
      }
      const messages: MessageLike[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const res = await client.conversations.replies({ channel: conv.channel, ts: conv.threadTs, include_all_metadata: true, limit: 200, cursor });
        messages.push(...(res.messages ?? []));
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      return readThreadMessages(messages);
    } catch (err) {
      // Reading the thread is best effort: without it "ping it" asks which pod is meant.
      this.log.warn({ err: safeError(err), channel: conv.channel, threadTs: conv.threadTs }, 'could not read the thread back from Slack');
      return { answeredEvents: new Set() };
    }
  }
}
