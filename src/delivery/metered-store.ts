// The outbox as the dispatcher sees it, counting what happened to each alert (metrics) on its way to
// storage: every alert marked sent, every failed attempt by outcome. Nothing else changes.
import type { AlertFailureOutcome } from '../domain/types.ts';
import type { DispatchStore } from './dispatcher.ts';

export interface DeliveryCounts {
  alertSent(): void;
  alertFailed(outcome: AlertFailureOutcome): void;
}

export function meteredDispatchStore(store: DispatchStore, counts: DeliveryCounts): DispatchStore {
  return {
    claimDue: (o) => store.claimDue(o),
    extendLease: (ids, owner, until) => store.extendLease(ids, owner, until),
    release: (ids, owner) => store.release(ids, owner),
    markSending: (id, owner, at, leaseUntil) => store.markSending(id, owner, at, leaseUntil),
    markSent: async (id, owner, s) => {
      await store.markSent(id, owner, s);
      counts.alertSent();
    },
    markUpdated: (id, owner, u) => store.markUpdated(id, owner, u),
    recordFailure: async (id, owner, f) => {
      const outcome = await store.recordFailure(id, owner, f);
      counts.alertFailed(outcome);
      return outcome;
    },
    noteError: (id, owner, error, at) => store.noteError(id, owner, error, at),
    markFollowing: (id, owner, itemId, at) => store.markFollowing(id, owner, itemId, at),
    markFollowed: (id, owner, itemId, at) => store.markFollowed(id, owner, itemId, at),
    story: (alert) => store.story(alert),
    ...(store.postedAlone ? { postedAlone: (channelId: number, since: Date) => store.postedAlone!(channelId, since) } : {}),
  };
}
