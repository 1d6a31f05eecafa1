// The command dependencies with every change refused: a command run over them reads what it needs and
// checks its arguments, and stops with WouldChange at its first change. The handler runs a restricted
// command this way for a caller without the rights, so a malformed command is explained to anyone while
// nothing is ever changed for them.
import type { CommandDeps } from './types.ts';

/** Thrown where a command run over readOnlyDeps would have changed something. */
export class WouldChange extends Error {
  constructor(what: string) {
    super(`commands: ${what} refused (read-only run)`);
    this.name = 'WouldChange';
  }
}

const refuse = (what: string) => async (): Promise<never> => {
  throw new WouldChange(what);
};

/** `deps` whose changing methods throw WouldChange; reads pass through (the other ports only read). */
export function readOnlyDeps(deps: CommandDeps): CommandDeps {
  const { channels, feeds, feedback } = deps;
  return {
    ...deps,
    ...(feedback ? { feedback: { counts: (id, since) => feedback.counts(id, since), record: refuse('feedback.record') } } : {}),
    channels: {
      find: (platform, externalId) => channels.find(platform, externalId),
      subscriptions: (id) => channels.subscriptions(id),
      keywords: (id) => channels.keywords(id),
      delivery: (id) => channels.delivery(id),
      upsert: refuse('channels.upsert'),
      subscribe: refuse('channels.subscribe'),
      unsubscribe: refuse('channels.unsubscribe'),
      addKeyword: refuse('channels.addKeyword'),
      removeKeyword: refuse('channels.removeKeyword'),
      unpause: refuse('channels.unpause'),
      setDelivery: refuse('channels.setDelivery'),
    },
    feeds: {
      visibleTo: (tenant) => feeds.visibleTo(tenant),
      add: refuse('feeds.add'),
      addForTenant: refuse('feeds.addForTenant'),
      removeForTenant: refuse('feeds.removeForTenant'),
      removeGlobal: refuse('feeds.removeGlobal'),
    },
  };
}
