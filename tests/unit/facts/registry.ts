/**
 * The registry of every real-stack command the site shows: each "Run it for real" panel's
 * commands (`runForReal.commands` of every section config) and every shell code block
 * (bash, sh, shell, console) in content/, with the file and line a writer needs to fix it and
 * the stack the command runs against.
 *
 * Which stack: a section config says it in `runForReal.stack`. A code block says it in its fence
 * meta: ```bash stack="root"``` for the repository-root stack (`make up`), nothing (or
 * stack="example") for the example project (`phlo services start` in examples/glucose-platform),
 * the stack the glucose walkthrough needs. A block that shows the browser miniature's own terminal
 * says ```bash sandbox```; it is listed but not checked as a real-stack command.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sections } from '../../../src/sandbox/sections/index.ts';
import type { StackName } from './check-command.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface RealCommand {
  /** Repository-relative file, e.g. content/parts/02-getting-started-with-phlo.mdx. */
  file: string;
  /** 1-based line of the snippet's first line in that file. */
  line: number;
  /** The snippet: one panel command, or a whole code block's body. */
  text: string;
  stack: StackName;
  /** True for blocks that show the miniature's terminal (not checked as real-stack). */
  sandbox: boolean;
  /** Where it came from, for messages. */
  origin: 'runForReal' | 'code block';
}

const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'console', 'zsh']);

/** Parses a fence's meta string: stack="root"|"example", and the bare word sandbox. */
export function parseFenceMeta(meta: string): { stack: StackName; sandbox: boolean; error?: string } {
  const m = /\bstack=(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(meta);
  const stack = m ? (m[1] ?? m[2] ?? m[3]) : 'example';
  const sandbox = /(^|\s)sandbox(\s|$)/.test(meta.replace(/"[^"]*"/g, '""'));
  if (stack !== 'root' && stack !== 'example') return { stack: 'example', sandbox, error: `unknown stack="${stack}" (use "root" or "example")` };
  return { stack, sandbox };
}

/** The shell code blocks of one MDX/Markdown text. */
export function shellBlocks(file: string, source: string): (RealCommand & { metaError?: string })[] {
  const lines = source.split('\n');
  const out: (RealCommand & { metaError?: string })[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})([\w-]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, meta] = open;
    let j = i + 1;
    while (j < lines.length && !(lines[j].trimStart().startsWith(fence) && lines[j].trim().replace(/[`~]/g, '') === '')) j++;
    if (SHELL_LANGS.has(lang)) {
      let body = lines.slice(i + 1, j).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      // console blocks: only the prompt lines are commands; the rest is output.
      if (lang === 'console') body = body.map((l) => (/^\$ /.test(l) ? l.slice(2) : ''));
      const parsed = parseFenceMeta(meta);
      out.push({ file, line: i + 2, text: body.join('\n'), stack: parsed.stack, sandbox: parsed.sandbox, origin: 'code block', metaError: parsed.error });
    }
    i = j;
  }
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.mdx?$/.test(name) ? [p] : [];
  });
}

/** 1-based line of the n-th `cmd:` after `runForReal` in a section config's source. */
function cmdLine(source: string, n: number): number {
  const start = source.indexOf('runForReal');
  let at = start;
  for (let k = 0; k <= n; k++) at = source.indexOf('cmd:', at + 1);
  return at < 0 ? 1 : source.slice(0, at).split('\n').length;
}

export function collectRealCommands(root = repoRoot): (RealCommand & { metaError?: string })[] {
  const out: (RealCommand & { metaError?: string })[] = [];
  const sectionDir = join(root, 'src/sandbox/sections');
  const byId = new Map<string, string>();
  for (const name of readdirSync(sectionDir)) {
    if (!name.endsWith('.ts')) continue;
    const src = readFileSync(join(sectionDir, name), 'utf8');
    const id = /\bid:\s*'([^']+)'/.exec(src)?.[1];
    if (id) byId.set(id, name);
  }
  for (const s of Object.values(sections)) {
    if (!s.runForReal) continue;
    const file = `src/sandbox/sections/${byId.get(s.id) ?? `${s.id}.ts`}`;
    const source = readFileSync(join(root, file), 'utf8');
    s.runForReal.commands.forEach((c, n) => {
      out.push({ file, line: cmdLine(source, n), text: c.cmd, stack: s.runForReal!.stack, sandbox: false, origin: 'runForReal' });
    });
  }
  for (const path of walk(join(root, 'content'))) {
    out.push(...shellBlocks(relative(root, path), readFileSync(path, 'utf8')));
  }
  return out;
}
