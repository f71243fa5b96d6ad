import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { partFields, checkPartFields } from './content/part-schema.ts';

/**
 * The series lives in the top-level `content/` folder (the product card fixes that name),
 * not in Starlight's default `src/content/docs/`, so the collection uses the glob loader
 * with that base. Files starting with "_" are drafts and partials.
 */
export const collections = {
  docs: defineCollection({
    loader: glob({ base: './content', pattern: '**/[^_]*.{md,mdx}' }),
    schema: (context) => docsSchema({ extend: partFields })(context).superRefine(checkPartFields),
  }),
};
