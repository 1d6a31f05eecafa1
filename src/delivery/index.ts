// Public API of delivery: the pipeline (items -> outbox) and the dispatcher (outbox -> chat), plus the
// mapping from the `delivery` configuration section to their options.
import type { Config } from '../config/schema.ts';
import { DEFAULT_BACKOFF, type DispatcherOptions } from './dispatcher.ts';
import type { PipelineOptions } from './pipeline.ts';

export { createPipeline, channelRulesFrom, type Pipeline, type PipelineDeps, type PipelineOptions, type BatchStats } from './pipeline.ts';
export { createDispatcher, backoffMs, alertRef, DEFAULT_BACKOFF, type Dispatcher, type DispatcherDeps, type DispatcherOptions } from './dispatcher.ts';
export { createRouter, type ChannelRule, type Router } from './router.ts';
export { storySignature, clusterStream, DEFAULT_CLUSTER_OPTIONS } from './cluster.ts';

export function pipelineOptionsFrom(d: Config['delivery'], o: Partial<PipelineOptions> = {}): PipelineOptions {
  return {
    batchSize: 100,
    clusterWindowMs: d.cluster_window_hours * 3600_000,
    editOnChange: d.edit_on_change,
    idleMs: 5_000,
    maxStoryAgeMs: d.max_story_age_days * 86_400_000,
    ...o,
  };
}

/**
 * `owner` is the instance id (unique per process), used as the lease owner. Pacing: Slack gets
 * delivery.channel_interval_ms between two messages to a channel (about one a second); Discord's own
 * per-route buckets are kept by discord.js's REST queue, and the console needs none.
 */
export function dispatcherOptionsFrom(d: Config['delivery'], owner: string, o: Partial<DispatcherOptions> = {}): DispatcherOptions {
  return {
    owner,
    maxAttempts: d.max_attempts,
    burstPerChannel: d.burst_per_channel,
    burstWindowMs: 60_000,
    overflowQuietMs: 5_000,
    overflowMaxWaitMs: 30_000,
    channelIntervalMs: { slack: d.channel_interval_ms, discord: 0, console: 0 },
    leaseMs: d.lease_seconds * 1000,
    claimLimit: 200,
    idleMs: 1_000,
    ...DEFAULT_BACKOFF,
    ...o,
  };
}
