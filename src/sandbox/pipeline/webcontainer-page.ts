/**
 * The page's side of the WebContainer runner: where the prebundled CLI is on this site,
 * the shipped project (bundled by Vite), the learner's settings module, and the section's
 * storage. Kept apart from webcontainer-runner.ts, which stays host-free for its test.
 */
import type { SandboxSession } from '../runtime/session.ts';
import type { Runner } from './runner.ts';
import { projectFiles } from './project-files.ts';
import { learnerProject, learnerSettings } from './learner-files.ts';
import { WebContainerRunner, fetchPrebundled, type WebContainerLike } from './webcontainer-runner.ts';
import type { SyncTarget } from './webcontainer-sync.ts';

/** The folder scripts/build.mjs writes the bundle to (scripts/bundle-webcontainer.mjs). */
export function prebundleBaseUrl(): string {
  return new URL(`${import.meta.env.BASE_URL.replace(/\/?$/, '/')}webcontainer/`, location.href).toString();
}

/**
 * The section's storage as the sync sees it: always the session's current one (a reset
 * opens a new layered storage over a cleared learner layer).
 */
function currentStorage(session: SandboxSession): SyncTarget {
  return {
    read: (p) => session.storage.read(p),
    exists: (p) => session.storage.exists(p),
    write: (p, b) => session.storage.write(p, b),
    delete: (p) => session.storage.delete(p),
    compareAndSwap: (p, e, n) => session.storage.compareAndSwap(p, e, n),
    list: (p) => session.storage.list(p),
  };
}

/** Fetch the bundle, mount it with the learner's files and the section's warehouse. Throws with what failed. */
export async function startWebContainerRunner(instance: unknown, session: SandboxSession, edits: Record<string, string>, fallback: Runner): Promise<WebContainerRunner> {
  let bundle: Record<string, string | Uint8Array>;
  try {
    ({ bundle } = await fetchPrebundled(prebundleBaseUrl()));
  } catch (err) {
    throw new Error(`the prebundled pipeline could not be loaded from this site (${(err as Error).message}; \`npm run build\` writes it to webcontainer/)`);
  }
  const shipped = projectFiles();
  return WebContainerRunner.start(
    {
      wc: instance as WebContainerLike,
      bundle,
      project: shipped,
      storage: currentStorage(session),
      learner: async (files) => ({ project: learnerProject(shipped, files), settings: await learnerSettings(files) }),
      fallback,
    },
    edits,
  );
}
