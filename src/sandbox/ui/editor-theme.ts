/** CodeMirror colours from Starlight's variables, so the editor follows light and dark themes. */
import { EditorView } from '@codemirror/view';

export const editorTheme = EditorView.theme({
  '&': { backgroundColor: 'var(--sl-color-bg-inline-code, var(--sl-color-gray-6))', color: 'var(--sl-color-white)', fontSize: '14px' },
  '.cm-content': { fontFamily: 'var(--sl-font-mono)', caretColor: 'var(--sl-color-white)' },
  '.cm-gutters': { backgroundColor: 'transparent', color: 'var(--sl-color-gray-3)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--sl-color-accent) 8%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'transparent', color: 'var(--sl-color-white)' },
  '&.cm-focused': { outline: '2px solid var(--sl-color-accent)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'color-mix(in srgb, var(--sl-color-accent) 30%, transparent) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--sl-color-white)' },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy #e5484d', textDecorationSkipInk: 'none' },
  '.cm-tooltip': { backgroundColor: 'var(--sl-color-bg-nav)', color: 'var(--sl-color-white)', border: '1px solid var(--sl-color-gray-5)' },
});
