/**
 * Every hands-on section, by id. A part adds its section here and drops
 * `<HandsOn section="<id>" />` into its MDX; the build fails on an unknown id.
 * (The part configs are written with their parts; each file default-exports its section.)
 */
import type { SectionConfig } from './types.ts';
import { lab } from './lab.ts';
import part02 from './part-02-first-ingestion.ts';
import part03 from './part-03-explore-snapshots.ts';
import part04 from './part-04-explore-nessie.ts';
import part05 from './part-05-trace-an-ingestion.ts';
import part08 from './part-08-understanding-the-api.ts';
import part06 from './part-06-run-dbt-transforms.ts';
import part07 from './part-07-running-pipelines-manually.ts';
import part09 from './part-09-layer-1-pandera-schemas.ts';
import part11 from './part-11-dashboards-visualizing-health.ts';
import part13 from './part-13-try-the-example-plugin.ts';
import part10 from './part-10-setting-up-trino-data-source.ts';
import part12 from './part-12-step-5-kubernetes-deployment.ts';

export const sections: Record<string, SectionConfig> = Object.fromEntries([lab, part02, part03, part04, part05, part06, part07, part08, part09, part10, part11, part12, part13].map((s) => [s.id, s]));

export function sectionById(id: string): SectionConfig {
  const s = sections[id];
  if (!s) throw new Error(`No hands-on section "${id}"; known sections: ${Object.keys(sections).join(', ')}. Add it in src/sandbox/sections/index.ts.`);
  return s;
}
