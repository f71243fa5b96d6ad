/**
 * `npm start`: build the site, then serve dist/ on http://localhost:4321 (and on every
 * network interface) with the security headers the sandboxes need (scripts/serve.mjs sends
 * src/lib/security-headers.mjs).
 * `npm start -- --no-build` serves the last build as it is.
 */
import { existsSync } from 'node:fs';
import { run, ROOT } from './run.mjs';
import path from 'node:path';

const skipBuild = process.argv.includes('--no-build');
if (!skipBuild || !existsSync(path.join(ROOT, 'dist', 'index.html'))) {
  const { code } = await run('node', ['scripts/build.mjs']);
  if (code !== 0) process.exit(code);
}
const port = process.env.PORT ?? '4321';
console.log(`\nServing the built site at http://localhost:${port}/ (Ctrl+C to stop)\n`);
const { code } = await run('node', ['scripts/serve.mjs', '--root', 'dist', '--host', '0.0.0.0', '--port', port]);
process.exit(code);
