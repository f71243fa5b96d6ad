/**
 * Shows the reader's progress wherever the page has a place for it (every page loads this):
 * - the sidebar: a tick after each part read;
 * - `[data-progress-part="N"]` (the index's table): "read", and tasks passed out of all;
 * - `[data-progress-path]` / `[data-progress-step]` (learning paths): steps done;
 * - `[data-read-toggle]` (a part's footer): mark the part read or unread; a part is also
 *   marked read when the reader reaches its end after reading for a while;
 * - `[data-progress-io]` (the progress page): download, load and clear.
 * The course map (parts, sections and their task ids) is embedded by the footer.
 */
import { loadProgress, markPartRead, mergeProgress, saveProgress, emptyProgress, tasksPassed, exportFileName, type Progress } from './progress.ts';

interface CourseMap {
  /** Part number -> its page URL and its sections' task ids. */
  parts: Record<string, { href: string; title: string; sections: Record<string, string[]> }>;
}

/** A reader who reaches the end this soon after opening the page has skimmed, not read. */
const READ_AFTER_MS = 45_000;

function courseMap(): CourseMap | null {
  const el = document.getElementById('phlo-course-map');
  try {
    return el?.textContent ? (JSON.parse(el.textContent) as CourseMap) : null;
  } catch {
    return null;
  }
}

function partStatus(p: Progress, map: CourseMap, part: string): { read: boolean; passed: number; total: number } {
  const entry = map.parts[part];
  let passed = 0;
  let total = 0;
  for (const [section, ids] of Object.entries(entry?.sections ?? {})) {
    passed += tasksPassed(p, section, ids);
    total += ids.length;
  }
  return { read: !!p.parts[part], passed, total };
}

function paint(map: CourseMap): void {
  const p = loadProgress(localStorage);
  // Sidebar: a tick (and words for screen readers) after each part read.
  for (const [part, entry] of Object.entries(map.parts)) {
    for (const a of document.querySelectorAll<HTMLAnchorElement>(`nav a[href="${entry.href}"]`)) {
      let mark = a.querySelector<HTMLElement>('.progress-tick');
      if (!p.parts[part]) {
        mark?.remove();
        continue;
      }
      if (!mark) {
        mark = document.createElement('span');
        mark.className = 'progress-tick';
        mark.innerHTML = '<span aria-hidden="true">✓</span><span class="sr-only"> (read)</span>';
        a.append(mark);
      }
    }
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-progress-part]')) {
    const s = partStatus(p, map, el.dataset.progressPart!);
    const bits = [s.read ? 'Read' : 'Not read yet'];
    if (s.total) bits.push(`${s.passed}/${s.total} tasks`);
    // In the series table a part shows its status only once the reader has started it.
    el.textContent = 'progressQuiet' in el.dataset && !s.read && !s.passed ? '' : bits.join(' · ');
    el.dataset.state = s.read && s.passed === s.total ? 'done' : s.read || s.passed ? 'started' : 'todo';
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-progress-step]')) {
    const s = partStatus(p, map, el.dataset.progressStep!);
    el.textContent = s.read ? `✓ read${s.total ? `, ${s.passed}/${s.total} tasks` : ''}` : s.passed ? `${s.passed}/${s.total} tasks` : '';
    el.dataset.state = s.read ? 'done' : 'todo';
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-progress-path]')) {
    const steps = (el.dataset.parts ?? '').split(',').filter(Boolean);
    const done = steps.filter((n) => p.parts[n]).length;
    el.textContent = `Your progress: ${done} of ${steps.length} parts read.`;
    const bar = document.querySelector<HTMLProgressElement>(`progress[data-progress-bar="${el.dataset.progressPath}"]`);
    if (bar) {
      bar.max = steps.length;
      bar.value = done;
    }
  }
  for (const btn of document.querySelectorAll<HTMLButtonElement>('[data-read-toggle]')) {
    const read = !!p.parts[btn.dataset.part!];
    btn.setAttribute('aria-pressed', String(read));
    btn.textContent = read ? `Part ${btn.dataset.part} is marked as read (undo)` : `Mark Part ${btn.dataset.part} as read`;
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-progress-summary]')) {
    const parts = Object.keys(map.parts);
    const read = parts.filter((n) => p.parts[n]).length;
    let passed = 0;
    let total = 0;
    for (const n of parts) {
      const s = partStatus(p, map, n);
      passed += s.passed;
      total += s.total;
    }
    el.textContent = `${read} of ${parts.length} published parts read; ${passed} of ${total} hands-on tasks passed.`;
  }
}

function wireProgressPage(map: CourseMap): void {
  const box = document.querySelector<HTMLElement>('[data-progress-io]');
  if (!box) return;
  const status = box.querySelector<HTMLElement>('[data-progress-message]')!;
  const say = (text: string, kind: 'ok' | 'error') => {
    status.textContent = text;
    status.dataset.kind = kind;
  };
  box.querySelector('[data-progress-export]')?.addEventListener('click', () => {
    const blob = new Blob([JSON.stringify(loadProgress(localStorage), null, 1)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = exportFileName();
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    say(`Saved ${a.download}. Load it on the other machine with "Load progress from a file".`, 'ok');
  });
  const input = box.querySelector<HTMLInputElement>('[data-progress-import]');
  input?.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    try {
      // Checked (size, schema, the course's own ids) before anything is merged; see progress-file.ts.
      const { parseProgressFile, courseIds, PROGRESS_FILE_MAX_BYTES } = await import('./progress-file.ts');
      // Too big is refused before the file is read into memory.
      const text = file.size > PROGRESS_FILE_MAX_BYTES ? '' : await file.text();
      const { progress: incoming, skipped } = parseProgressFile(text, courseIds(map), file.size);
      saveProgress(localStorage, mergeProgress(loadProgress(localStorage), incoming));
      const left = skipped ? ` ${skipped} entr${skipped === 1 ? 'y' : 'ies'} for parts or tasks this course does not have were left out.` : '';
      say(`Loaded ${file.name}: ${Object.keys(incoming.parts).length} part(s) read and ${Object.values(incoming.tasks).reduce((n, t) => n + Object.keys(t).length, 0)} task(s) passed, merged with what this browser had.${left}`, 'ok');
      paint(map);
    } catch (err) {
      say(`${file.name}: ${(err as Error).message} Nothing was changed.`, 'error');
    } finally {
      input.value = '';
    }
  });
  box.querySelector('[data-progress-clear]')?.addEventListener('click', () => {
    if (!confirm('Forget every part read and task passed in this browser? Download your progress first if you may want it back.')) return;
    saveProgress(localStorage, emptyProgress());
    say('Progress cleared in this browser.', 'ok');
    paint(map);
  });
}

export function showProgress(): void {
  const map = courseMap();
  if (!map) return;
  try {
    localStorage.getItem('x');
  } catch {
    return; // storage disabled: nothing to show or keep
  }
  paint(map);
  wireProgressPage(map);
  for (const btn of document.querySelectorAll<HTMLButtonElement>('[data-read-toggle]')) {
    btn.addEventListener('click', () => {
      markPartRead(localStorage, Number(btn.dataset.part), btn.getAttribute('aria-pressed') !== 'true');
      paint(map);
    });
  }
  // Reaching the end of a part after reading a while marks it read.
  const end = document.querySelector('[data-read-toggle]');
  const part = end instanceof HTMLElement ? Number(end.dataset.part) : NaN;
  const opened = Date.now();
  if (end && 'IntersectionObserver' in window) {
    const io = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting) || Date.now() - opened < READ_AFTER_MS) return;
      io.disconnect();
      markPartRead(localStorage, part, true);
      paint(map);
    });
    io.observe(end);
  }
  // Another tab, or a task passed in a sandbox on this page.
  addEventListener('storage', (e) => e.key === 'phlo-progress' && paint(map));
  document.addEventListener('phlo:progress', () => paint(map));
}
