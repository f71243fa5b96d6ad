/**
 * The built site as tests see it: every HTML page in dist/ with its URL path.
 * The test command builds the site first; a missing dist/ is reported as such.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The built site: dist/, or PHLO_DIST for a side build (npm run build -- --outDir ...). */
export const DIST = process.env.PHLO_DIST ? path.resolve(process.env.PHLO_DIST) : path.join(ROOT, 'dist');

export function requireDist(): void {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    throw new Error('dist/index.html is missing: build the site first (npm run build), or run the whole suite with npm test');
  }
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

export interface BuiltPage {
  /** URL path, e.g. "/" or "/parts/01-what-is-a-data-lakehouse/" or "/404.html". */
  url: string;
  file: string;
  html: string;
}

/** Every HTML page of the site (the Pagefind UI fragments and other assets are left out). */
export function builtPages(): BuiltPage[] {
  requireDist();
  return walk(DIST)
    .filter((f) => f.endsWith('.html') && !f.includes(`${path.sep}pagefind${path.sep}`))
    .map((file) => {
      const rel = path.relative(DIST, file).split(path.sep).join('/');
      const url = rel === 'index.html' ? '/' : rel.endsWith('/index.html') ? `/${rel.slice(0, -'index.html'.length)}` : `/${rel}`;
      return { url, file, html: readFileSync(file, 'utf8') };
    })
    .sort((a, b) => a.url.localeCompare(b.url));
}

export function allFiles(): string[] {
  requireDist();
  return walk(DIST);
}
