import { describe, expect, it } from 'vitest';
import { dispatcherOptionsFrom, pipelineOptionsFrom } from '../../src/delivery/index.ts';

const delivery = { max_attempts: 8, burst_per_channel: 5, channel_interval_ms: 1100, cluster_window_hours: 72, edit_on_change: false, max_story_age_days: 30, lease_seconds: 60 };

describe('delivery options from configuration', () => {
  it('maps the delivery section onto the dispatcher', () => {
    expect(dispatcherOptionsFrom(delivery, 'host:1:abc')).toMatchObject({
      owner: 'host:1:abc',
      maxAttempts: 8,
      burstPerChannel: 5,
      channelIntervalMs: { slack: 1100, discord: 0, console: 0 },
      leaseMs: 60_000,
    });
  });

  it('maps the delivery section onto the pipeline, with overrides', () => {
    expect(pipelineOptionsFrom(delivery, { batchSize: 10 })).toMatchObject({ batchSize: 10, clusterWindowMs: 72 * 3600_000, editOnChange: false, maxStoryAgeMs: 30 * 86_400_000 });
  });
});
