/**
 * The asset graph (the ideas of Dagster): ingestion assets, dbt models and publishing
 * assets as nodes, dependencies as edges; asset checks hang off the asset they check.
 * The same graph is served to the UI as plain data ({ nodes, edges }) for drawing lineage.
 */
import type { Definitions } from './definitions.ts';
import type { Project } from '../transform/project.ts';
import { relationOf } from '../transform/compile.ts';

export type AssetKind = 'ingestion' | 'dbt' | 'publish';

export interface AssetNode {
  key: string;
  kind: AssetKind;
  group: string;
  /** Iceberg table written ("raw.glucose_entries"), or the Postgres schema for publishing. */
  target: string;
  deps: string[];
  partitioned: boolean;
  checks: string[];
  description: string;
  /** dbt materialisation, for dbt nodes. */
  materialized?: string;
}

export interface LineageGraph {
  nodes: { id: string; kind: AssetKind | 'check' | 'source'; group: string; label: string; target?: string }[];
  edges: { from: string; to: string }[];
}

export class AssetGraph {
  readonly nodes = new Map<string, AssetNode>();
  readonly order: string[] = [];

  constructor(defs: Definitions, project: Project) {
    for (const a of defs.ingestion) {
      this.nodes.set(a.name, { key: a.name, kind: 'ingestion', group: a.group, target: a.table, deps: [], partitioned: true, checks: [], description: a.description });
    }
    for (const m of project.models.values()) {
      const deps = [...m.refs];
      for (const s of m.sources) {
        const asset = defs.sourceAssets[`${s.source}.${s.table}`];
        if (!asset) throw new Error(`${m.file}: source('${s.source}', '${s.table}') is not written by any ingestion asset; add it to sourceAssets.`);
        if (!deps.includes(asset)) deps.push(asset);
      }
      // Phlo's rule: mrt_ models sit in the gold group whatever their folder.
      const group = m.name.startsWith('mrt_') ? 'gold' : m.folder || 'default';
      this.nodes.set(m.name, { key: m.name, kind: 'dbt', group, target: relationOf(m), deps, partitioned: true, checks: [], description: m.description, materialized: m.config.materialized });
    }
    for (const p of defs.publish) {
      for (const d of p.deps) if (!this.nodes.has(d)) throw new Error(`Publishing asset ${p.name} depends on ${d}, which is not an asset.`);
      this.nodes.set(p.name, { key: p.name, kind: 'publish', group: 'publishing', target: `postgres.${p.schema}`, deps: [...p.deps], partitioned: false, checks: [], description: `Copy ${p.deps.join(', ')} into Postgres schema ${p.schema}.` });
    }
    for (const c of defs.checks) {
      const n = this.nodes.get(c.asset);
      if (!n) throw new Error(`Check group ${c.name} is attached to ${c.asset}, which is not an asset.`);
      n.checks.push(c.name);
    }
    const seen = new Set<string>();
    const visit = (k: string, path: string[]) => {
      if (seen.has(k)) return;
      if (path.includes(k)) throw new Error(`The assets form a cycle: ${[...path, k].join(' -> ')}.`);
      const node = this.nodes.get(k);
      if (!node) throw new Error(`${path[path.length - 1]} depends on ${k}, which is not an asset.`);
      for (const d of node.deps) visit(d, [...path, k]);
      seen.add(k);
      this.order.push(k);
    };
    for (const k of [...this.nodes.keys()].sort()) visit(k, []);
  }

  downstream(key: string): Set<string> {
    const out = new Set<string>();
    const stack = [key];
    while (stack.length) {
      const k = stack.pop()!;
      for (const n of this.nodes.values()) if (n.deps.includes(k) && !out.has(n.key)) { out.add(n.key); stack.push(n.key); }
    }
    return out;
  }

  upstream(key: string): Set<string> {
    const out = new Set<string>();
    const stack = [key];
    while (stack.length) {
      for (const d of this.nodes.get(stack.pop()!)!.deps) if (!out.has(d)) { out.add(d); stack.push(d); }
    }
    return out;
  }

  /**
   * Dagster-style selection: `key`, `key*` or `key+` (and downstream), `*key` or `+key`
   * (and upstream), `group:name`, `kind:dbt`. No terms = every asset.
   */
  select(terms: string[], options: { downstream?: boolean } = {}): string[] {
    const flat = terms.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
    if (flat.length === 0) return [...this.order];
    const chosen = new Set<string>();
    for (const t of flat) {
      if (t.startsWith('group:') || t.startsWith('kind:')) {
        const [field, value] = t.split(':');
        const hit = [...this.nodes.values()].filter((n) => (field === 'group' ? n.group : n.kind) === value);
        if (!hit.length) throw new Error(`No asset has ${field} "${value}".`);
        hit.forEach((n) => chosen.add(n.key));
        continue;
      }
      const up = /^[*+]/.test(t);
      const down = /[*+]$/.test(t) || options.downstream;
      const key = t.replace(/^[*+]|[*+]$/g, '');
      if (!this.nodes.has(key)) {
        const near = [...this.nodes.keys()].filter((k) => k.includes(key) || key.includes(k));
        throw new Error(`"${key}" is not an asset.${near.length ? ` Did you mean ${near.join(' or ')}?` : ''} Assets: ${this.order.join(', ')}.`);
      }
      chosen.add(key);
      if (down) this.downstream(key).forEach((k) => chosen.add(k));
      if (up) this.upstream(key).forEach((k) => chosen.add(k));
    }
    return this.order.filter((k) => chosen.has(k));
  }

  lineage(defs: Definitions): LineageGraph {
    const nodes: LineageGraph['nodes'] = [];
    const edges: LineageGraph['edges'] = [];
    for (const a of defs.ingestion) {
      const src = `source:${a.source.plugin}`;
      nodes.push({ id: src, kind: 'source', group: a.group, label: a.source.plugin });
      edges.push({ from: src, to: a.name });
    }
    for (const k of this.order) {
      const n = this.nodes.get(k)!;
      nodes.push({ id: k, kind: n.kind, group: n.group, label: k, target: n.target });
      for (const d of n.deps) edges.push({ from: d, to: k });
      for (const c of n.checks) {
        nodes.push({ id: `check:${c}`, kind: 'check', group: n.group, label: c });
        edges.push({ from: k, to: `check:${c}` });
      }
    }
    return { nodes, edges };
  }
}
