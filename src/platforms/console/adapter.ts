// The console adapter: the default when no chat tokens are set. Alerts are printed to stdout; with an
// input stream, lines typed as `/news <command>` run as commands from the operator (who has every right),
// and `relevant 42` / `not relevant 42` give feedback on alert 42, as the buttons do on Slack and Discord.
import { createInterface, type Interface } from 'node:readline';
import type { ChatPlatform, CommandHandler, FeedbackHandler, SentMessage, StoryView } from '../../domain/chat.ts';
import { feedbackButtonId } from '../../domain/feedback.ts';
import { parseCommandText } from '../../commands/parse-text.ts';
import { errorMessage } from '../../lib/errors.ts';
import { briefText, digestText, followUpText, replyText, storyText } from './render.ts';

export interface ConsoleOptions {
  /** Where output goes (default: process.stdout). */
  write?: (text: string) => void;
  /** Read `/news ...` command lines from here (optional; off by default). */
  input?: NodeJS.ReadableStream;
  /** The channel id commands act on. */
  channelId?: string;
}

export const CONSOLE_CHANNEL = 'console';

export function createConsolePlatform(opts: ConsoleOptions = {}): ChatPlatform {
  const write = opts.write ?? ((text: string) => void process.stdout.write(`${text}\n`));
  const channelId = opts.channelId ?? CONSOLE_CHANNEL;
  let seq = 0;
  let rl: Interface | null = null;
  let pending: Promise<void> = Promise.resolve();
  const sent = (): SentMessage => ({ messageId: `console-${(seq += 1)}` });
  let acceptsFeedback = false;
  /** The feedback hint only when typed feedback can arrive (an input stream and a feedback handler). */
  const withHint = (story: StoryView): StoryView => (acceptsFeedback ? story : { ...story, feedbackAlertId: undefined });

  function onLine(handler: CommandHandler, feedback: FeedbackHandler | undefined, line: string): void {
    const fb = feedback ? line.trim().match(/^(relevant|not[ -]relevant)\s+([1-9]\d{0,14})$/i) : null;
    if (fb && feedback) {
      const verdict = fb[1]!.toLowerCase() === 'relevant' ? 'relevant' : 'not_relevant';
      const buttonId = feedbackButtonId(verdict, Number(fb[2]));
      pending = pending
        .then(() => feedback({ platform: 'console', workspaceId: '', channelId, userId: 'operator', buttonId }))
        .then((ack) => write(ack.text))
        .catch((err: unknown) => write(`Feedback failed: ${errorMessage(err)}`));
      return;
    }
    const m = line.trim().match(/^\/?news(?:\s+(.*))?$/i);
    // Feedback with a missing or bad alert number ("relevant", "not relevant abc", "relevant 0").
    if (!m && feedback && /^(relevant|not[ -]relevant)\b/i.test(line.trim())) {
      pending = pending.then(() => write('Give the number shown under the alert: relevant 42 or not relevant 42.'));
      return;
    }
    if (!m) {
      if (line.trim()) pending = pending.then(() => write('Type /news help for the commands.'));
      return;
    }
    const text = m[1] ?? '';
    const { name, args } = parseCommandText(text);
    // One command at a time, in the order typed.
    pending = pending
      .then(() =>
        handler({ platform: 'console', workspaceId: '', channelId, channelName: channelId, userId: 'operator', userIsAdmin: true, userIsOperator: true, userCanManageChannel: true, name, args, text }),
      )
      .then((reply) => write(replyText(reply)))
      .catch((err: unknown) => write(`Command failed: ${errorMessage(err)}`));
  }

  return {
    name: 'console',
    async start(handler, feedback) {
      acceptsFeedback = !!(opts.input && feedback);
      if (opts.input) {
        rl = createInterface({ input: opts.input, terminal: false });
        rl.on('line', (line) => onLine(handler, feedback, line));
      }
    },
    async stop() {
      rl?.close();
      rl = null;
      await pending;
    },
    async postStory(channel, story) {
      write(`[${channel}] ${storyText(withHint(story))}`);
      return sent();
    },
    async updateStory(channel, messageId, story) {
      write(`[${channel}] (update of ${messageId}) ${storyText(withHint(story))}`);
    },
    async postDigest(channel, digest) {
      write(`[${channel}] ${digestText(digest)}`);
      return sent();
    },
    async postNotice(channel, text) {
      write(`[${channel}] notice: ${text}`);
      return sent();
    },
    // A terminal has no message size limit: a brief is one message.
    briefParts: () => 1,
    async postBriefPart(channel, brief) {
      write(`[${channel}] ${briefText(brief)}`);
      return sent();
    },
    async postFollowUp(channel, parent, followUp) {
      write(`[${channel}] (reply to ${parent}) ${followUpText(followUp)}`);
      return sent();
    },
  };
}
