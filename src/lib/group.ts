// Rows gathered under a key (a channel's keywords, a feed's tenants), each list in the order the rows came.

/** Appends `value` to the list under `key`, making the list on first use. */
export function pushTo<K, T>(groups: Map<K, T[]>, key: K, value: T): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}
