// The words for a system error that says a part of a path is a regular file where a folder should be
// (DATABASE_URL=/srv/bot.db/x.db after a typo, an input file named ten.txt/more.txt): one wording and one
// decision for the storage errors (a SQLite file's folder, its run lock) and the file errors of the CLI's
// inputs and the settings files (config/file-error-text.ts).

/**
 * "a part of the path is a file, not a folder" when the system error `code` says so, else null: ENOTDIR
 * always, and EEXIST after `mkdir(folder, { recursive: true })` (`fromMkdir`), which is how it says that the
 * folder itself is a file (any other EEXIST is a file that exists). `path` is how the words name the path:
 * "the path" (the default), "that path", "the path to /srv/x".
 */
export function notAFolderText(code: string | undefined, opts: { path?: string; fromMkdir?: boolean } = {}): string | null {
  const says = code === 'ENOTDIR' || (code === 'EEXIST' && opts.fromMkdir === true);
  return says ? `a part of ${opts.path ?? 'the path'} is a file, not a folder` : null;
}
