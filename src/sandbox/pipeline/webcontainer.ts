/**
 * Can this browser boot a WebContainer? It needs all of: cross-origin isolation (COOP +
 * COEP, which our server sends), a browser StackBlitz supports, and the network, because
 * the WebContainer runtime itself boots from StackBlitz's servers. We check the cheap
 * conditions first and only then try a real boot, with a time limit; the answer is one
 * sentence for the runner line.
 */
export interface WebContainerVerdict {
  ok: boolean;
  reason: string;
  /** The booted instance, when ok. */
  instance?: unknown;
}

export const BOOT_TIME_LIMIT_MS = 8_000;

export function supportedBrowser(ua = navigator.userAgent): boolean {
  if (/Chrome\/|Chromium\/|Edg\//.test(ua)) return true;
  if (/Firefox\//.test(ua)) return true;
  const safari = /Version\/(\d+)\.(\d+).*Safari\//.exec(ua);
  return !!safari && (Number(safari[1]) > 16 || (Number(safari[1]) === 16 && Number(safari[2]) >= 4));
}

let verdict: Promise<WebContainerVerdict> | null = null;

export function detectWebContainer(): Promise<WebContainerVerdict> {
  verdict ??= (async (): Promise<WebContainerVerdict> => {
    if (!globalThis.crossOriginIsolated) return { ok: false, reason: 'this page is not cross-origin isolated (the server must send COOP and COEP headers)' };
    if (!supportedBrowser()) return { ok: false, reason: 'this browser is not one WebContainers support (Chromium, Firefox, Safari 16.4+)' };
    if (navigator.onLine === false) return { ok: false, reason: 'the browser is offline, and a WebContainer boots from StackBlitz' };
    try {
      const { WebContainer } = await import('@webcontainer/api');
      const instance = await Promise.race([
        WebContainer.boot({ coep: 'require-corp', workdirName: 'phlo' }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer from StackBlitz within ${BOOT_TIME_LIMIT_MS / 1000} s`)), BOOT_TIME_LIMIT_MS)),
      ]);
      return { ok: true, reason: 'a WebContainer booted: commands run in a real Node.js in this tab', instance };
    } catch (err) {
      return { ok: false, reason: `a WebContainer could not boot (${(err as Error).message || 'StackBlitz unreachable'})` };
    }
  })();
  return verdict;
}
