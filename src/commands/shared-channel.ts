// A Slack channel shared between workspaces (Slack Connect) belongs to the workspace it was first used from
// (README, Tenancy). Seen from the other workspace, its settings (topics, keywords, brief, mode, quiet hours,
// threads, alerts, feedback) are that workspace's: the views say so and show none of them, as /news status does.
import type { Command } from '../domain/chat.ts';
import type { Channel } from '../domain/types.ts';
import { tenantNoun } from './permissions.ts';

/** The channel's row belongs to another workspace than the caller's. */
export function ownedByAnother(ch: Channel | null, cmd: Command): boolean {
  return ch !== null && ch.workspaceId !== cmd.workspaceId;
}

/** "This channel is shared with another workspace and belongs to it: its keywords are that workspace's, ..." (`what`: "keywords are"). */
export function sharedChannelSentence(platform: Command['platform'], what: string, tail = ', shown and changed there.'): string {
  const noun = tenantNoun(platform);
  return `This channel is shared with another ${noun} and belongs to it: its ${what} that ${noun}'s${tail}`;
}
