/**
 * The model graph from refs, and dbt's selection syntax: `name`, `name+` (and everything
 * downstream), `+name` (and everything upstream), `+name+`, `tag:x`, several separated by
 * spaces or commas.
 */
import type { Project } from './project.ts';

export function topoOrder(project: Project): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`The models form a cycle: ${[...path, name].join(' -> ')}. A model cannot depend on itself.`);
    state.set(name, 'visiting');
    for (const r of project.models.get(name)!.refs) visit(r, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...project.models.keys()].sort()) visit(name, []);
  return order;
}

export function children(project: Project): Map<string, string[]> {
  const out = new Map<string, string[]>([...project.models.keys()].map((k) => [k, []]));
  for (const m of project.models.values()) for (const r of m.refs) out.get(r)!.push(m.name);
  return out;
}

function closure(start: string, next: (n: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const n = stack.pop()!;
    for (const m of next(n)) if (!seen.has(m)) { seen.add(m); stack.push(m); }
  }
  return seen;
}

/** Resolve a selection to model names in run order. Empty selection = every model. */
export function select(project: Project, selection: string | string[] = []): string[] {
  const terms = (Array.isArray(selection) ? selection : [selection]).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
  const order = topoOrder(project);
  if (terms.length === 0) return order;
  const kids = children(project);
  const chosen = new Set<string>();
  for (const term of terms) {
    if (term.startsWith('tag:')) {
      const tag = term.slice(4);
      const hit = [...project.models.values()].filter((m) => m.config.tags.includes(tag));
      if (hit.length === 0) throw new Error(`No model has the tag "${tag}".`);
      hit.forEach((m) => chosen.add(m.name));
      continue;
    }
    const up = term.startsWith('+');
    const down = term.endsWith('+');
    const name = term.replace(/^\+|\+$/g, '');
    if (!project.models.has(name)) {
      throw new Error(`"${name}" is not a model in this project. Models: ${order.join(', ')}.`);
    }
    chosen.add(name);
    if (down) closure(name, (n) => kids.get(n) ?? []).forEach((n) => chosen.add(n));
    if (up) closure(name, (n) => project.models.get(n)!.refs).forEach((n) => chosen.add(n));
  }
  return order.filter((n) => chosen.has(n));
}
