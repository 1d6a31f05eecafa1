// Small formatting helpers shared by the CLI's text output.

/** A time to the second in UTC (`2026-11-23T18:04:23Z`), or `-` when there is none. */
export const iso = (d: Date | null): string => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');
