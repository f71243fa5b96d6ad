/**
 * Every hands-on section, by id. A part adds its section here and drops
 * `<HandsOn section="<id>" />` into its MDX; the build fails on an unknown id.
 */
import type { SectionConfig } from './types.ts';
import { lab } from './lab.ts';
import { part02FirstIngestion } from './part-02-first-ingestion.ts';
import { part03ExploreSnapshots } from './part-03-explore-snapshots.ts';
import { part04ExploreNessie } from './part-04-explore-nessie.ts';
import { part05TraceAnIngestion } from './part-05-trace-an-ingestion.ts';

export const sections: Record<string, SectionConfig> = Object.fromEntries(
  [lab, part02FirstIngestion, part03ExploreSnapshots, part04ExploreNessie, part05TraceAnIngestion].map((s) => [s.id, s]),
);

export function sectionById(id: string): SectionConfig {
  const s = sections[id];
  if (!s) throw new Error(`No hands-on section "${id}"; known sections: ${Object.keys(sections).join(', ')}. Add it in src/sandbox/sections/index.ts.`);
  return s;
}
