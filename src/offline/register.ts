/**
 * Registers the offline service worker (production builds only) and keeps the footer's
 * offline line and the update prompt current. Small on purpose: it ships with every page.
 *
 * The sandboxes' engines and warehouse (about 70 MB) are saved for offline use when the
 * reader first starts a hands-on section (boot.ts fires `phlo:sandbox-used`), or when they
 * press "Save the sandboxes too".
 */
interface GroupState { cached: boolean; bytes: number; total: number; started: boolean }
type SwMessage =
  | { type: 'offline-state'; version: string; shell: GroupState; sandbox: GroupState }
  | { type: 'offline-progress'; group: string; done: number; total: number }
  | { type: 'offline-error'; group: string; message: string };

const mb = (n: number) => `${Math.round(n / 2 ** 20)} MB`;

/**
 * On a host that cannot send headers (GitHub Pages) a page is not cross-origin isolated until
 * the service worker serves it with the isolation headers. Pages with a hands-on section (the
 * only ones that need isolation) are reloaded once through the worker; others are left alone.
 */
function isolateOnce(): void {
  if (window.crossOriginIsolated || !navigator.serviceWorker.controller || !document.querySelector('.hands-on')) return;
  const key = `phlo-isolation-reload:${location.pathname}`;
  try {
    if (sessionStorage.getItem(key)) return;
    sessionStorage.setItem(key, '1');
  } catch {
    return;
  }
  location.reload();
}

export function registerOffline(): void {
  const line = document.querySelector<HTMLElement>('[data-offline-status]');
  const text = line?.querySelector<HTMLElement>('[data-offline-text]');
  const save = line?.querySelector<HTMLButtonElement>('[data-offline-save]');
  if (!('serviceWorker' in navigator) || !line || !text || !save) return;
  const sw = navigator.serviceWorker;
  const base = import.meta.env.BASE_URL.replace(/\/?$/, '/');
  let state: Extract<SwMessage, { type: 'offline-state' }> | null = null;

  const paint = (message: string, offerSave: boolean, status: string) => {
    line.hidden = false;
    line.dataset.offline = status;
    text.textContent = (navigator.onLine ? '' : 'You are offline. ') + message;
    save.hidden = !offerSave;
  };
  const show = () => {
    if (!state) return paint('Saving the course for offline reading…', false, 'saving');
    if (!state.shell.cached) return paint('Saving the course for offline reading…', false, 'saving');
    if (state.sandbox.cached) return paint('Available offline: every part and every sandbox.', false, 'all');
    return paint('Available offline for reading.', true, 'reading');
  };
  const ask = (type: string) => (sw.controller ?? null)?.postMessage({ type });
  const cacheSandbox = () => {
    const target = sw.controller;
    if (!target) return;
    target.postMessage({ type: 'cache-sandbox' });
    paint('Saving the sandboxes for offline use…', false, 'saving');
  };

  sw.addEventListener('message', (ev: MessageEvent<SwMessage>) => {
    const m = ev.data;
    if (m?.type === 'offline-state') {
      state = m;
      show();
    } else if (m?.type === 'offline-progress') {
      paint(`Saving the sandboxes for offline use… ${Math.floor((100 * m.done) / Math.max(1, m.total))}% of ${mb(m.total)}`, false, 'saving');
    } else if (m?.type === 'offline-error') {
      paint(`Saving for offline use stopped: ${m.message}. It will try again on the next visit.`, true, 'error');
    }
  });
  save.addEventListener('click', cacheSandbox);
  addEventListener('online', show);
  addEventListener('offline', show);
  document.addEventListener('phlo:sandbox-used', () => {
    if (!state?.sandbox.cached) cacheSandbox();
  });

  const offerUpdate = (waiting: ServiceWorker) => {
    const prompt = document.querySelector<HTMLElement>('[data-update-prompt]');
    if (!prompt) return;
    // Out of the content column, whose stacking context sits under the table of contents.
    document.body.append(prompt);
    prompt.hidden = false;
    prompt.querySelector('button')?.addEventListener(
      'click',
      () => {
        accepted = true;
        waiting.postMessage({ type: 'skip-waiting' });
      },
      { once: true },
    );
  };
  // The first install takes control silently; only an update the reader accepted reloads.
  let accepted = false;
  sw.addEventListener('controllerchange', () => {
    if (accepted) {
      accepted = false;
      location.reload();
    } else isolateOnce();
  });

  sw.register(`${base}sw.js`, { scope: base })
    .then((reg) => {
      if (reg.waiting && sw.controller) offerUpdate(reg.waiting);
      reg.addEventListener('updatefound', () => {
        const next = reg.installing;
        next?.addEventListener('statechange', () => {
          if (next.state === 'installed' && sw.controller) offerUpdate(next);
        });
      });
      return sw.ready;
    })
    .then(() => {
      isolateOnce();
      if (sw.controller) ask('offline-state');
      else paint('Saving the course for offline reading…', false, 'saving');
    })
    .catch((err: Error) => paint(`Offline use is not available here (${err.message}).`, false, 'none'));
}
