/** Small helpers the project's command scripts share: run a command, time a step. */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

/**
 * Run a command with node_modules/.bin first on PATH (so `node` is the project's Node 24
 * even when the shell's node is older). Resolves with the exit code; never throws on a
 * non-zero exit, so callers decide what a failure means.
 */
export function run(command, args, { env = {}, capture = false, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH}`, ASTRO_TELEMETRY_DISABLED: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    if (capture) {
      child.stdout.on('data', (d) => { stdout += d; process.stdout.write(d); });
      child.stderr.on('data', (d) => { stderr += d; process.stderr.write(d); });
    }
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export function seconds(startMs) {
  return ((performance.now() - startMs) / 1000).toFixed(1);
}
