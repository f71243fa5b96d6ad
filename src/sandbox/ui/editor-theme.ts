/** CodeMirror colours from Starlight's variables, so the editor follows light and dark themes. */
import { EditorView } from '@codemirror/view';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

const chrome = EditorView.theme({
  '&': { backgroundColor: 'var(--sl-color-bg-inline-code, var(--sl-color-gray-6))', color: 'var(--sl-color-white)', fontSize: '14px' },
  '.cm-content': { fontFamily: 'var(--sl-font-mono)', caretColor: 'var(--sl-color-white)' },
  // The gutter stays put while the code scrolls sideways under it: it needs the editor's own
  // opaque background (transparent, scrolled code showed through the line numbers).
  '.cm-gutters': { backgroundColor: 'var(--sl-color-bg-inline-code, var(--sl-color-gray-6))', color: 'var(--sl-color-gray-2)', border: 'none', borderInlineEnd: '1px solid var(--sl-color-gray-5)' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--sl-color-accent) 8%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'transparent', color: 'var(--sl-color-white)' },
  // Inside the box: the editor's frame (.sbx-editor) clips what overflows it, an outside ring included.
  '&.cm-focused': { outline: '2px solid var(--sl-color-accent)', outlineOffset: '-2px' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'color-mix(in srgb, var(--sl-color-accent) 30%, transparent) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--sl-color-white)' },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy #e5484d', textDecorationSkipInk: 'none' },
  '.cm-tooltip': { backgroundColor: 'var(--sl-color-bg-nav)', color: 'var(--sl-color-white)', border: '1px solid var(--sl-color-gray-5)' },
});

/** Token colours that read on both Starlight themes (the accent and gray scales flip with the theme). */
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.operatorKeyword, t.modifier, t.definitionKeyword], color: 'var(--sl-color-accent-high)', fontWeight: '600' },
  { tag: [t.string, t.special(t.string)], color: 'light-dark(#116329, #7ee2a8)' },
  { tag: [t.number, t.bool, t.null], color: 'light-dark(#953800, #ffb86b)' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--sl-color-gray-2)', fontStyle: 'italic' },
  { tag: [t.typeName, t.className], color: 'light-dark(#6639ba, #d2a8ff)' },
  { tag: [t.propertyName, t.attributeName], color: 'light-dark(#0550ae, #79c0ff)' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: 'light-dark(#0550ae, #79c0ff)' },
  { tag: [t.punctuation, t.operator, t.bracket], color: 'var(--sl-color-gray-2)' },
]);

export const editorTheme = [chrome, syntaxHighlighting(highlight)];
