// Row <-> domain conversions shared by the repositories.
export const toDate = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(Number(ms)));
export const toMs = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);
export const flag = (b: boolean): number => (b ? 1 : 0);
