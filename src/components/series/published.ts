/**
 * Which parts of the series exist as pages right now. The series data (src/data/series.ts)
 * lists all 13 parts; only those with a file in the `docs` collection get a link, the rest
 * are shown as "coming soon". A part is found by its `part` frontmatter field, or failing
 * that by a `parts/NN-...` id, so a part file may be named differently from the slug in
 * series.ts and still be linked correctly.
 */
import { getCollection } from 'astro:content';

export interface PublishedPart {
  number: number;
  href: string;
  title: string;
  readingMinutes?: number;
  /** The anchors of hands-on sections the page itself declares. */
  handsOnAnchors: string[];
}

function withBase(path: string): string {
  const base = import.meta.env.BASE_URL ?? '/';
  return `${base.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;
}

export async function publishedParts(): Promise<Map<number, PublishedPart>> {
    const entries = await getCollection('docs');
    const found = new Map<number, PublishedPart>();
    for (const entry of entries) {
      const id = entry.id.replace(/\.(md|mdx)$/, '');
      const match = /^parts\/(\d{1,2})-/.exec(id);
      const data = entry.data as { part?: number; title: string; readingMinutes?: number; handsOn?: { anchor: string }[]; draft?: boolean };
      if (data.draft) continue;
      const number = data.part ?? (match ? Number(match[1]) : undefined);
      if (number === undefined || !id.startsWith('parts/')) continue;
      found.set(number, {
        number,
        href: withBase(`${id}/`),
        title: data.title,
        readingMinutes: data.readingMinutes,
        handsOnAnchors: (data.handsOn ?? []).map((h) => h.anchor),
      });
    }
    return found;
}

/** Link to a hands-on section only when the page declares that anchor. */
export function handsOnHref(page: PublishedPart, anchor: string): string {
  return page.handsOnAnchors.includes(anchor) ? `${page.href}#${anchor}` : page.href;
}
