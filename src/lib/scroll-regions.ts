/**
 * A table wider than the text column scrolls sideways inside itself (course.css). A
 * scrolling box with nothing focusable inside cannot be scrolled from the keyboard, so each
 * one that actually overflows becomes a focusable, labelled region (and stops being one
 * when the window grows wide enough to show it whole).
 */
export function keyboardScrollableTables(): void {
  const tables = [...document.querySelectorAll<HTMLTableElement>('.sl-markdown-content table')];
  if (tables.length === 0) return;
  const update = () => {
    for (const t of tables) {
      if (t.scrollWidth > t.clientWidth + 1) {
        t.tabIndex = 0;
        t.setAttribute('role', 'region');
        const caption = t.caption?.textContent?.trim() || t.querySelector('th')?.textContent?.trim();
        t.setAttribute('aria-label', `Table${caption ? `: ${caption}` : ''} (scrolls sideways)`);
      } else if (t.getAttribute('role') === 'region') {
        t.removeAttribute('tabindex');
        t.removeAttribute('role');
        t.removeAttribute('aria-label');
      }
    }
  };
  update();
  let pending = 0;
  addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(update);
  });
}
