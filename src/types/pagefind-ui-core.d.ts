/**
 * Pagefind's UI ships its core module without types; lazy-pagefind.ts imports it directly
 * (so the search UI loads only when the dialog opens). Only what that file uses is declared.
 */
declare module '@pagefind/default-ui/npm_dist/mjs/ui-core.mjs' {
  export class PagefindUI {
    constructor(options: Record<string, unknown>);
  }
}
