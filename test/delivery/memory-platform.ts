// A real, in-memory ChatPlatform for dispatcher tests: it keeps every message it accepted, per channel,
// and can be told to fail calls with DeliveryError kinds (a script consulted before each call).
import type { ChatPlatform, DigestView, SentMessage, StoryView } from '../../src/domain/chat.ts';
import { DeliveryError } from '../../src/domain/chat.ts';
import type { PlatformName } from '../../src/domain/types.ts';

export interface Posted {
  messageId: string;
  channelId: string;
  kind: 'story' | 'digest' | 'notice';
  story?: StoryView;
  digest?: DigestView;
  text?: string;
  /** Clock time of the post (the test's clock). */
  at: number;
  edits: StoryView[];
}

export type Call = { op: 'postStory' | 'postDigest' | 'postNotice' | 'updateStory'; channelId: string; title?: string };
/** Returns an error to throw for this call, or null to let it through. */
export type Script = (call: Call, n: number) => DeliveryError | null;

export class MemoryPlatform implements ChatPlatform {
  readonly messages: Posted[] = [];
  readonly calls: Call[] = [];
  script: Script = () => null;
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

  findStory?: (channelId: string, ref: string) => Promise<SentMessage | null> = async (channelId, ref) => {
    const m = this.messages.find((x) => x.channelId === channelId && (x.story?.ref === ref || x.digest?.ref === ref));
    return m ? { messageId: m.messageId } : null;
  };

  /** Titles of the stories posted to a channel, in order. */
  titles(channelId: string): string[] {
    return this.messages.filter((m) => m.channelId === channelId && m.kind === 'story').map((m) => m.story!.title);
  }
}
