/**
 * The frontmatter a part of the series carries, on top of Starlight's own fields.
 *
 * The index and other pages leave `part` out; a file that sets `part` is a part of the
 * series and must then say everything the navigation, the index tables and the reading
 * header need. Zod names the field in its error, and Astro adds the file, so a broken
 * frontmatter fails the build with both.
 */
import { z } from 'astro/zod';

const slugAnchor = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'an anchor is lower-case words joined by hyphens, e.g. "hands-on-explore-snapshots"');

export const handsOnSchema = z.object({
  anchor: slugAnchor,
  title: z.string().min(3),
});

export const partFields = z.object({
  /** 1 to 13: the part's place in the series. */
  part: z.number().int().min(1).max(13).optional(),
  /** Minutes a reader needs, shown under the title and in the series table. */
  readingMinutes: z.number().int().min(1).max(120).optional(),
  topics: z.array(z.string().min(2)).optional(),
  prerequisites: z.array(z.string().min(2)).optional(),
  /** "What you will learn": shown at the top of the part. */
  learn: z.array(z.string().min(2)).optional(),
  /** The hands-on sections of the part, by heading anchor. */
  handsOn: z.array(handsOnSchema).optional(),
});

export type PartFields = z.infer<typeof partFields>;

const requiredForAPart = ['readingMinutes', 'topics', 'prerequisites', 'learn', 'handsOn'] as const;

/** A part must fill in every part field; other pages must not pretend to be parts. */
export function checkPartFields(data: PartFields & { description?: string }, ctx: z.RefinementCtx): void {
  if (data.part === undefined) return;
  for (const key of requiredForAPart) {
    if (data[key] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `part ${data.part} must set "${key}" in its frontmatter`,
      });
    }
  }
  if (!data.description) {
    ctx.addIssue({ code: 'custom', path: ['description'], message: `part ${data.part} must set "description" (used for the meta description and the series table)` });
  }
  if ((data.topics?.length ?? 0) === 0 && data.topics !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['topics'], message: 'list at least one topic' });
  }
}

/** The part schema on its own (Starlight's fields left out), for tests and tooling. */
export const partFrontmatter = partFields
  .extend({ title: z.string().min(1), description: z.string().optional() })
  .superRefine(checkPartFields);
