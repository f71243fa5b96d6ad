/**
 * An RSS feed of the parts of the series, newest part number first, so a reader can
 * follow the series in a feed reader as parts are added.
 */
import rss from '@astrojs/rss';
import type { APIContext } from 'astro';
import { getCollection } from 'astro:content';

export async function GET(context: APIContext) {
  const parts = (await getCollection('docs', (entry) => entry.data.part !== undefined)).sort(
    (a, b) => (b.data.part ?? 0) - (a.data.part ?? 0),
  );
  return rss({
    title: 'Phlo: Modern Data Engineering',
    description: 'A 13-part series on building a data lakehouse with Iceberg, Nessie, dbt, Dagster and friends.',
    site: context.site ?? 'http://localhost:4321',
    trailingSlash: true,
    items: parts.map((entry) => ({
      title: `Part ${entry.data.part}: ${entry.data.title}`,
      description: entry.data.description,
      link: `/${entry.id}/`,
      categories: entry.data.topics ?? [],
    })),
    customData: '<language>en</language>',
  });
}
