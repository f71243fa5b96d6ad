/**
 * How this project starts Chromium, in one place: the build (Mermaid diagrams are rendered
 * to SVG by a headless browser), the browser tests and the benchmarks all use it.
 *
 * Playwright cannot download its own browsers on our machines, so we drive Debian's
 * `chromium` package. The flags keep Chromium from phoning home (the machine has no
 * network, and the refused connections slow every start) and let it run as root.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export const CHROMIUM_PATH = process.env.PHLO_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--disable-quic',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

export const launchOptions = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true };

/**
 * Make sure Chromium is installed: as root, install Debian's package with apt; otherwise
 * stop with one line that says how. Returns the executable path.
 */
export function ensureChromium({ quiet = false } = {}) {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    console.error(`Chromium is missing at ${CHROMIUM_PATH}: install it with "sudo apt-get install -y chromium" (or set PHLO_CHROMIUM to a Chromium binary) and run the command again.`);
    process.exit(1);
  }
  if (!quiet) console.log('Installing Debian\'s chromium package (needed to render diagrams and run the browser tests)...');
  const apt = (args) => execFileSync('apt-get', args, { stdio: quiet ? 'ignore' : 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', 'chromium']);
  if (!existsSync(CHROMIUM_PATH)) {
    console.error(`apt-get finished but ${CHROMIUM_PATH} is still missing: install Chromium by hand and set PHLO_CHROMIUM to its path.`);
    process.exit(1);
  }
  return CHROMIUM_PATH;
}
