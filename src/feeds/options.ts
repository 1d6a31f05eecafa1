// Plain options for the fetcher and the scheduler, built from the `polling` section of the configuration.
// The caller (main.ts, cli/) passes the Config in; nothing here reads the environment.
import type { Config } from '../config/schema.ts';
import type { FetcherOptions } from './fetcher.ts';
import type { SchedulerOptions } from './scheduler.ts';

type Polling = Config['polling'];

export function fetcherOptionsFrom(p: Polling): FetcherOptions {
  return {
    userAgent: p.user_agent,
    connectTimeoutMs: p.connect_timeout_ms,
    totalTimeoutMs: p.total_timeout_ms,
    maxBodyBytes: p.max_body_bytes,
    maxRedirects: p.max_redirects,
    allowHosts: p.allow_hosts,
    dnsCacheMs: p.dns_cache_seconds * 1000,
    leanHttp: p.lean_http ?? true,
  };
}

export function schedulerOptionsFrom(p: Polling, instanceId?: string): SchedulerOptions {
  return {
    tick: p.tick,
    concurrency: p.concurrency,
    minConcurrency: p.min_concurrency,
    adaptiveConcurrency: p.adaptive_concurrency,
    writeBatchSize: p.write_batch_size,
    writeBatchMs: p.write_batch_ms,
    perHostConcurrency: p.per_host_concurrency,
    totalTimeoutMs: p.total_timeout_ms,
    intervalSeconds: p.interval_seconds,
    maxIntervalSeconds: p.max_interval_seconds,
    jitterSeconds: p.jitter_seconds,
    backoffBaseSeconds: p.backoff_base_seconds,
    disableAfterFailures: p.disable_after_failures,
    backfill: p.backfill,
    maxBodyBytes: p.max_body_bytes,
    ...(instanceId ? { instanceId } : {}),
  };
}
