// The dashboard's times read as every other face of the product shows them (domain/shown-time.ts).
import { describe, expect, it } from 'vitest';
import { Time } from '../../../src/web/views/layout.tsx';

describe('Time', () => {
  it.each([
    ['a time: shown as everywhere, machine-readable in datetime', new Date('2026-03-09T14:05:42.000Z'), '<time datetime="2026-03-09T14:05:42.000Z">Mon 9 Mar 2026 14:05 UTC</time>'],
    ['none', null, '<span class="muted">never</span>'],
  ])('%s', (_name, at, html) => {
    expect(String(Time({ at }))).toBe(html);
  });
});
