/**
 * JSON for an inline `<script type="application/json">` block. A value holding `</script>`
 * or `<!--` (a title, a task text) would otherwise end the block early or change how the
 * HTML parser reads it, and what follows would be parsed as markup: every `<` is written as
 * its JSON escape `\u003c`, which JSON.parse reads back as `<`.
 */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
