/**
 * The browser's importer for pipeline.config.ts: the module runs in a throwaway locked-down
 * worker (settings-worker.ts), never in the page or the pipeline worker, and that worker is
 * terminated when it answers or after SETTINGS_TIME_LIMIT_MS.
 */
import type { ModuleImporter } from './learner-config.ts';
import { PIPELINE_CONFIG_FILE } from './learner-files.ts';

export const SETTINGS_TIME_LIMIT_MS = 5_000;

/**
 * `spawn` makes the worker: the pipeline worker takes its `Worker` constructor before its
 * own lockdown and hands it in here.
 */
export function isolatedSettingsImport(spawn: () => Worker): ModuleImporter {
  return (js) =>
    new Promise((resolve, reject) => {
      const worker = spawn();
      const done = (fn: () => void) => {
        clearTimeout(timer);
        worker.terminate();
        fn();
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${PIPELINE_CONFIG_FILE}: it did not finish loading within ${SETTINGS_TIME_LIMIT_MS / 1000} s (an endless loop?); it was stopped. Settings are plain data: export default { seed, badDays }.`))), SETTINGS_TIME_LIMIT_MS);
      worker.addEventListener('message', (ev: MessageEvent<{ ok: boolean; module?: unknown; message?: string }>) =>
        done(() => (ev.data.ok ? resolve(ev.data.module) : reject(new Error(`${PIPELINE_CONFIG_FILE}: ${ev.data.message}`)))),
      );
      worker.addEventListener('error', (ev) => {
        ev.preventDefault();
        done(() => reject(new Error(`${PIPELINE_CONFIG_FILE}: ${ev.message || 'the settings worker failed'}`)));
      });
      worker.postMessage({ js });
    });
}

/**
 * The settings worker of this build. The constructor is a parameter (the pipeline worker
 * takes it before its lockdown removes the global); the `new Worker(new URL(...))` form is
 * what the bundler recognises to build the worker.
 */
export function spawnSettingsWorker(Worker: typeof globalThis.Worker): () => globalThis.Worker {
  return () => new Worker(new URL('./settings-worker.ts', import.meta.url), { type: 'module', name: 'pipeline-settings' });
}
