// Why a file could not be read, in words with the system's code after them: "there is no such file
// (ENOENT)". For the one-sentence errors of the CLI's input files and of the settings files.
import { notAFolderText } from '../lib/not-a-folder.ts';

const WORDS: Record<string, string> = {
  ENOENT: 'there is no such file',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** `err`'s reason, e.g. "there is no such file (ENOENT)"; the code alone when it has no words here. */
export function fileErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? 'error';
  const words = WORDS[code] ?? notAFolderText(code);
  return words ? `${words} (${code})` : code;
}
