import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** The package version, from the nearest package.json above this module (bot/ in source, dist/bot/ compiled). */
export function packageVersion(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (cached = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0');
    if (path.dirname(dir) === dir) return (cached = '0.0.0');
  }
}
