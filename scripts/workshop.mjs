/**
 * `npm run workshop`: what an instructor runs on a laptop at the front of the room.
 *
 * It builds the site if there is no build yet (or with --rebuild), serves it on every
 * network interface with the site's headers, and prints the addresses to give attendees,
 * with a QR code for the first one. Nothing here needs the internet: the site, the sandbox
 * engines and the prebuilt warehouse are all in dist/.
 *
 *   npm run workshop [-- --port 8080] [-- --rebuild]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import { createSiteServer } from './serve.mjs';
import { run, ROOT } from './run.mjs';
import { roomAddresses } from './room-addresses.mjs';

const argv = process.argv.slice(2);
const portArg = argv.indexOf('--port');
const port = Number(portArg >= 0 ? argv[portArg + 1] : process.env.PORT ?? 8080);
const dist = path.join(ROOT, 'dist');

if (argv.includes('--rebuild') || !existsSync(path.join(dist, 'index.html'))) {
  console.log('Building the site first (this happens once; use --rebuild to force it)...');
  const { code } = await run('node', ['scripts/build.mjs']);
  if (code !== 0) process.exit(code);
}

const server = createSiteServer({ root: dist });
server.on('error', (error) => {
  console.error(error.code === 'EADDRINUSE' ? `Port ${port} is taken: run "npm run workshop -- --port 8081".` : `Server error: ${error.message}`);
  process.exit(1);
});
server.listen(port, '0.0.0.0', async () => {
  const addresses = roomAddresses();
  console.log('\nThe workshop site is up. No internet is needed, for you or for the room.\n');
  console.log(`  On this laptop:   http://localhost:${port}/`);
  for (const { name, address } of addresses) console.log(`  For attendees:    http://${address}:${port}/   (${name})`);
  if (addresses.length === 0) {
    console.log('  No network interface is up: attendees cannot reach this laptop. Join the room network (or start a hotspot) and run again.');
  } else {
    const url = `http://${addresses[0].address}:${port}/`;
    console.log(`\nScan to open ${url}\n`);
    console.log(await QRCode.toString(url, { type: 'terminal', small: true }));
  }
  console.log('Stop with Ctrl+C.\n');
});
