/**
 * Every hands-on section, by id. A part adds its section here and drops
 * `<HandsOn section="<id>" />` into its MDX; the build fails on an unknown id.
 */
import type { SectionConfig } from './types.ts';
import { lab } from './lab.ts';

export const sections: Record<string, SectionConfig> = {
  [lab.id]: lab,
};

export function sectionById(id: string): SectionConfig {
  const s = sections[id];
  if (!s) throw new Error(`No hands-on section "${id}"; known sections: ${Object.keys(sections).join(', ')}. Add it in src/sandbox/sections/index.ts.`);
  return s;
}
