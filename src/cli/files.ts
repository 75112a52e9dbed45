import * as fs from 'fs';
import * as path from 'path';

/** A file's real path (symbolic links resolved), or its resolved path when that cannot be read. */
export function canonicalFile(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
