// Whether a SQLite file that is not there yet could be created where DATABASE_URL puts it, for doctor's
// database line (doctor creates nothing, so it looks instead): its folder, or the nearest one that exists,
// must be a folder we may write in.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export type NewSqliteFile = { ok: true; missingFolder: string | null } | { ok: false; problem: string };

/** For an absolute `file` that does not exist: `missingFolder` is its folder when that is not there either. */
export function newSqliteFile(file: string): NewSqliteFile {
  const folder = path.dirname(file);
  for (let at = folder; ; at = path.dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) return { ok: false, problem: `${at} is a file, not a folder` };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Not there (or under a file, which the next step up finds): look one folder up.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && path.dirname(at) !== at) continue;
      return { ok: false, problem: `${at} cannot be read (${code ?? 'error'})` };
    }
    try {
      accessSync(at, constants.W_OK | constants.X_OK);
    } catch {
      return { ok: false, problem: `there is no permission to create ${at === folder ? 'files' : 'folders'} in ${at}` };
    }
    return { ok: true, missingFolder: at === folder ? null : folder };
  }
}
