/**
 * Evaluates the learner's pipeline.config.ts (already transpiled) in a worker of its own,
 * locked down before the code loads and terminated as soon as it answers or runs out of
 * time: the settings are plain data (a seed, bad days), so nothing of the learner's code
 * needs to live on in the pipeline worker, and an endless loop or a timer in it ends here.
 */
import { lockdown } from './lockdown.ts';

const post = (self as unknown as Worker).postMessage.bind(self);
lockdown();

self.addEventListener('message', async (ev: MessageEvent<{ js: string }>) => {
  const url = URL.createObjectURL(new Blob([ev.data.js], { type: 'text/javascript' }));
  try {
    const mod = (await import(/* @vite-ignore */ url)) as { default?: unknown };
    try {
      post({ ok: true, module: { default: mod.default } });
    } catch {
      post({ ok: false, message: 'the default export must be plain data ({ seed, badDays }): functions and classes cannot be settings.' });
    }
  } catch (err) {
    post({ ok: false, message: `the module threw while loading: ${(err as Error)?.message ?? String(err)}` });
  } finally {
    URL.revokeObjectURL(url);
  }
});
