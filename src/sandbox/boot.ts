/**
 * The only sandbox code a page with a hands-on section loads up front. It waits: when the
 * reader scrolls within a couple of screens of a section it fetches the sandbox module and
 * starts booting the SQL engine in the background; when they press Start (or the section
 * was open before a reload) it mounts the panes.
 */
type Island = typeof import('./ui/hands-on.ts');

let island: Promise<Island> | null = null;
const load = (): Promise<Island> => (island ??= import('./ui/hands-on.ts'));

/** Remember across reloads that the reader had the sandbox open. */
const openKey = (id: string) => `phlo-sandbox-open:${id}`;

/**
 * A skip link per hands-on section, right after the page's "Skip to content": from the top
 * of a part, Start is otherwise dozens of Tabs away (81 in Part 3). It lands on Start, or
 * on the sandbox's first tab once it runs.
 */
function addSkipLinks(roots: HTMLElement[]): void {
  const anchor = document.querySelector('.sl-skip-link');
  let after: Element | null = anchor;
  for (const root of roots) {
    const title = root.querySelector('.hands-on-title')?.textContent?.trim() ?? 'the sandbox';
    const link = document.createElement('a');
    link.className = 'hands-on-skip';
    link.href = `#${root.querySelector('.hands-on-title')?.id ?? ''}`;
    link.textContent = `Skip to the hands-on: ${title}`;
    link.addEventListener('click', (e) => {
      e.preventDefault();
      const target = root.querySelector<HTMLElement>('[data-start]') ?? root.querySelector<HTMLElement>('.sbx-tab[aria-selected="true"]') ?? root;
      if (target === root) root.tabIndex = -1;
      root.scrollIntoView({ block: 'start' });
      target.focus();
    });
    if (after) after.after(link);
    else document.body.prepend(link);
    after = link;
  }
}

export function watchHandsOn(): void {
  const roots = [...document.querySelectorAll<HTMLElement>('.hands-on[data-section]')];
  if (roots.length === 0) return;
  addSkipLinks(roots);
  // The workshop page links to `?checkpoint=<section id>#<anchor>`: open that section at its checkpoint.
  const params = new URLSearchParams(location.search);
  const jumpTo = params.get('checkpoint');
  if (jumpTo) {
    params.delete('checkpoint');
    // Once only: a reload must not throw the attendee's work away again.
    history.replaceState(history.state, '', `${location.pathname}${params.size ? `?${params}` : ''}${location.hash}`);
  }
  const start = (root: HTMLElement, fromCheckpoint = false) => {
    if (root.dataset.started) return;
    root.dataset.started = 'yes';
    try {
      localStorage.setItem(openKey(root.dataset.section!), '1');
    } catch {
      /* storage may be disabled: the sandbox still works */
    }
    const line = root.querySelector<HTMLElement>('[data-runner-line]');
    if (line) line.textContent = 'Loading the sandbox…';
    load()
      .then((m) => m.mount(root, { fromCheckpoint }))
      // The offline service worker then saves the engines and the warehouse (65 MB): after
      // the sandbox is up, so the download does not compete with its start.
      .then(() => document.dispatchEvent(new CustomEvent('phlo:sandbox-used')))
      .catch((err: Error) => {
        if (line) line.textContent = `The sandbox could not load: ${err.message}. Reload the page to try again.`;
        delete root.dataset.started;
      });
  };
  const observer =
    'IntersectionObserver' in window
      ? new IntersectionObserver(
          (entries) => {
            for (const e of entries) {
              if (!e.isIntersecting) continue;
              observer?.unobserve(e.target);
              // Overlap the engine boot with the reader's scroll: by the click it is warm.
              load().then((m) => m.prefetch(e.target as HTMLElement)).catch(() => {});
            }
          },
          { rootMargin: '1200px 0px' },
        )
      : null;
  for (const root of roots) {
    root.querySelector('[data-start]')?.addEventListener('click', () => {
      // The sandbox then takes focus from the button it replaces (hands-on.ts).
      root.dataset.startedBy = 'click';
      start(root);
    });
    observer?.observe(root);
    let wasOpen = false;
    try {
      wasOpen = localStorage.getItem(openKey(root.dataset.section!)) === '1';
    } catch {
      /* ignore */
    }
    if (jumpTo === root.dataset.section) start(root, true);
    else if (wasOpen) start(root);
  }
}
