/**
 * Long work on the page's main thread, cut into turns: code that walks a big result (CSV,
 * chart sampling) calls `maybe()` often, and every ~25 ms it yields to the browser, so a
 * click on Cancel, scrolling and painting are never held up by more than one short stretch.
 */

/** Longest stretch of work before the page gets a turn (half the browser's 50 ms long task). */
const TURN_MS = 25;

export class Turns {
  private since = performance.now();

  async maybe(): Promise<void> {
    if (performance.now() - this.since < TURN_MS) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.since = performance.now();
  }
}
