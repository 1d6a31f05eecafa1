// A real, in-memory ChatPlatform for dispatcher tests: it keeps every message it accepted, per channel,
// and can be told to fail calls with DeliveryError kinds (a script consulted before each call).
import type { BriefView, ChatPlatform, DigestView, FollowUpView, SentMessage, StoryView } from '../../src/domain/chat.ts';
import { DeliveryError } from '../../src/domain/chat.ts';
import type { PlatformName } from '../../src/domain/types.ts';

export interface Posted {
  messageId: string;
  channelId: string;
  kind: 'story' | 'digest' | 'notice' | 'brief' | 'follow';
  story?: StoryView;
  digest?: DigestView;
  /** A brief part: the brief, which part, and the stories' titles in it. */
  brief?: { view: BriefView; part: number; titles: string[]; ref: string };
  /** A thread reply: the parent message and the reply. */
  follow?: { parent: string; view: FollowUpView };
  text?: string;
  /** Clock time of the post (the test's clock). */
  at: number;
  edits: StoryView[];
}

export type Call = { op: 'postStory' | 'postDigest' | 'postNotice' | 'updateStory' | 'postBriefPart' | 'postFollowUp'; channelId: string; title?: string };
/** Returns an error to throw for this call, or null to let it through. */
export type Script = (call: Call, n: number) => DeliveryError | null;

export class MemoryPlatform implements ChatPlatform {
  readonly messages: Posted[] = [];
  readonly calls: Call[] = [];
  script: Script = () => null;
  /** Stories per brief part (a stand-in for a platform's size limits). */
  storiesPerPart = 3;
  private seq = 0;

  constructor(
    readonly name: PlatformName,
    private readonly now: () => number,
    private readonly withFind = true,
  ) {
    if (!withFind) this.findStory = undefined;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  private gate(call: Call): void {
    this.calls.push(call);
    const err = this.script(call, this.calls.length);
    if (err) throw err;
  }

  private add(p: Omit<Posted, 'messageId' | 'at' | 'edits'>): SentMessage {
    const messageId = `${this.name}-${++this.seq}`;
    this.messages.push({ ...p, messageId, at: this.now(), edits: [] });
    return { messageId };
  }

  async postStory(channelId: string, story: StoryView): Promise<SentMessage> {
    this.gate({ op: 'postStory', channelId, title: story.title });
    return this.add({ channelId, kind: 'story', story });
  }

  async updateStory(channelId: string, messageId: string, story: StoryView): Promise<void> {
    this.gate({ op: 'updateStory', channelId, title: story.title });
    const m = this.messages.find((x) => x.messageId === messageId && x.channelId === channelId);
    if (!m) throw new DeliveryError('permanent', `message ${messageId} not found`);
    m.edits.push(story);
  }

  async postDigest(channelId: string, digest: DigestView): Promise<SentMessage> {
    this.gate({ op: 'postDigest', channelId });
    return this.add({ channelId, kind: 'digest', digest });
  }

  async postNotice(channelId: string, text: string): Promise<SentMessage> {
    this.gate({ op: 'postNotice', channelId });
    return this.add({ channelId, kind: 'notice', text });
  }

  /** The brief's stories split into parts of `storiesPerPart`, never inside a story. */
  private parts(view: BriefView): string[][] {
    const titles = view.groups.flatMap((g) => g.stories.map((s) => s.title));
    const out: string[][] = [];
    for (let i = 0; i < titles.length; i += this.storiesPerPart) out.push(titles.slice(i, i + this.storiesPerPart));
    return out.length ? out : [[]];
  }

  briefParts(view: BriefView): number {
    return this.parts(view).length;
  }

  async postBriefPart(channelId: string, view: BriefView, part: number, ref: string): Promise<SentMessage> {
    this.gate({ op: 'postBriefPart', channelId, title: view.title });
    return this.add({ channelId, kind: 'brief', brief: { view, part, titles: this.parts(view)[part]!, ref } });
  }

  async postFollowUp(channelId: string, parent: string, view: FollowUpView): Promise<SentMessage> {
    this.gate({ op: 'postFollowUp', channelId, title: view.coverage.title });
    if (!this.messages.some((m) => m.messageId === parent && m.channelId === channelId)) throw new DeliveryError('permanent', `message ${parent} not found`, null, 'message');
    return this.add({ channelId, kind: 'follow', follow: { parent, view } });
  }

  /** Every findStory question, with the time the delivery was queued when the dispatcher gave it. */
  readonly finds: Array<{ channelId: string; ref: string; threadOf?: string; since?: Date }> = [];

  findStory?: (channelId: string, ref: string, threadOf?: string, since?: Date) => Promise<SentMessage | null> = async (channelId, ref, threadOf, since) => {
    this.finds.push({ channelId, ref, ...(threadOf ? { threadOf } : {}), ...(since ? { since } : {}) });
    const m = this.messages.find(
      (x) => x.channelId === channelId && (threadOf ? x.follow?.parent === threadOf && x.follow.view.ref === ref : x.story?.ref === ref || x.digest?.ref === ref || x.brief?.ref === ref),
    );
    return m ? { messageId: m.messageId } : null;
  };

  /** Titles of the stories posted to a channel, in order. */
  titles(channelId: string): string[] {
    return this.messages.filter((m) => m.channelId === channelId && m.kind === 'story').map((m) => m.story!.title);
  }
}
