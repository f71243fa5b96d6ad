/**
 * Starlight builds its Pagefind search box as soon as the page is idle, which downloads
 * about 26 KB (compressed) of search UI on every page, read or not. This stand-in, swapped
 * in for '@pagefind/default-ui' by a Vite alias (astro.config.mjs), takes the same options
 * but fetches the real UI only when the reader reaches for search: hovering or focusing the
 * search button, or opening the dialog (click, "/" or Ctrl/Cmd+K). A reading page thereby
 * stays under its JavaScript budget, and search still opens at once.
 */
type PagefindOptions = { element: string } & Record<string, unknown>;

export class PagefindUI {
  constructor(options: PagefindOptions) {
    const host = document.querySelector(options.element);
    const dialog = host?.closest('dialog') ?? null;
    let loading: Promise<void> | null = null;
    const load = () => {
      loading ??= import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs').then(({ PagefindUI: RealUI }) => {
        new RealUI(options);
        // The dialog may have opened while the UI was on its way: put the caret in the box.
        if (dialog?.open) dialog.querySelector<HTMLInputElement>('input')?.focus();
      });
      return loading;
    };
    if (!dialog || dialog.open) {
      void load();
      return;
    }
    const button = document.querySelector('button[data-open-modal]');
    button?.addEventListener('pointerenter', () => void load(), { once: true });
    button?.addEventListener('focus', () => void load(), { once: true });
    new MutationObserver((_, observer) => {
      if (dialog.open) {
        observer.disconnect();
        void load();
      }
    }).observe(dialog, { attributes: true, attributeFilter: ['open'] });
  }
}
