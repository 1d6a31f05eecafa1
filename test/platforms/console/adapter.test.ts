import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Command, FeedbackClick, StoryView } from '../../../src/domain/chat.ts';
import { waitFor } from '../../emulators/http-util.ts';
import { createConsolePlatform } from '../../../src/platforms/console/adapter.ts';

const story: StoryView = {
  title: 'Talks\u200b resume',
  url: 'https://a.example/1',
  source: 'Alpha',
  publishedAt: new Date('2026-03-09T14:05:00Z'),
  summary: 'Delegations met.',
  fromExcerpt: false,
  topics: [{ id: 'talks', name: 'Cyber talks' }],
  alsoCoveredBy: [{ source: 'Beta', title: 'Talks go on in Geneva', url: 'https://b.example/' }],
};

describe('console adapter', () => {
  it('prints stories, digests and notices, numbering messages', async () => {
    const out: string[] = [];
    const p = createConsolePlatform({ write: (t) => out.push(t) });
    await p.start(async () => ({ text: '', ephemeral: true }));
    expect(await p.postStory('console', story)).toEqual({ messageId: 'console-1' });
    expect(out[0]!.split('\n')).toEqual([
      '[console] ■ Talks resume',
      '  Alpha · Mon 9 Mar 2026 14:05 UTC',
      '  https://a.example/1',
      '  Delegations met.',
      '  Topics: Cyber talks',
      '  Also covered by:',
      '    Beta: Talks go on in Geneva <https://b.example/>',
    ]);
    expect(await p.postDigest('console', { stories: [{ title: 'A', url: null, source: 'S' }] })).toEqual({ messageId: 'console-2' });
    expect(out[1]).toBe('[console] ■ 1 more story:\n  • A (S)');
    await p.postNotice('console', 'paused');
    expect(out[2]).toBe('[console] notice: paused');
    await p.stop();
  });

  it('runs /news lines typed on its input as the operator', async () => {
    const out: string[] = [];
    const input = new PassThrough();
    const seen: Command[] = [];
    const p = createConsolePlatform({ write: (t) => out.push(t), input });
    await p.start(async (cmd) => {
      seen.push(cmd);
      return { text: `ran ${cmd.name}`, ephemeral: true };
    });
    input.write('/news keywords add "trade secrets"\nhello\nnews status\n');
    await waitFor('two replies', () => out.length >= 3);
    await p.stop();
    expect(seen.map((c) => [c.name, c.args, c.userIsAdmin, c.userCanManageChannel, c.channelId])).toEqual([
      ['keywords', ['add', 'trade secrets'], true, true, 'console'],
      ['status', [], true, true, 'console'],
    ]);
    expect(out).toEqual(['ran keywords', 'Type /news help for the commands.', 'ran status']);
  });

  it('takes typed feedback on an alert when it has an input, and shows how under each alert', async () => {
    const out: string[] = [];
    const input = new PassThrough();
    const clicks: FeedbackClick[] = [];
    const p = createConsolePlatform({ write: (t) => out.push(t), input });
    await p.start(
      async () => ({ text: 'unused', ephemeral: true }),
      async (click) => {
        clicks.push(click);
        return { text: `noted ${click.buttonId}` };
      },
    );
    await p.postStory('console', { ...story, feedbackAlertId: 42 });
    expect(out[0]!.split('\n').at(-1)).toBe('  Feedback: type "relevant 42" or "not relevant 42"');
    input.write('relevant 42\nNot relevant 42\nrelevant 0\nrelevant\nnot relevant abc\nrelevantly\n');
    await waitFor('six answers', () => out.length >= 7);
    await p.stop();
    expect(clicks.map((c) => [c.platform, c.channelId, c.userId, c.buttonId])).toEqual([
      ['console', 'console', 'operator', 'cyberbrief-feedback:relevant:42'],
      ['console', 'console', 'operator', 'cyberbrief-feedback:not_relevant:42'],
    ]);
    const bad = 'Give the number shown under the alert: relevant 42 or not relevant 42.';
    expect(out.slice(1)).toEqual(['noted cyberbrief-feedback:relevant:42', 'noted cyberbrief-feedback:not_relevant:42', bad, bad, bad, 'Type /news help for the commands.']);
  });

  it('shows no feedback hint when nothing can be typed', async () => {
    const out: string[] = [];
    const p = createConsolePlatform({ write: (t) => out.push(t) });
    await p.start(async () => ({ text: '', ephemeral: true }), async () => ({ text: '' }));
    await p.postStory('console', { ...story, feedbackAlertId: 42 });
    expect(out[0]).not.toContain('Feedback');
    await p.stop();
  });
});
