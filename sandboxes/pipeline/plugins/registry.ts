/**
 * The plugin registry. `register` refuses a plugin that lacks metadata or the methods its
 * kind needs, and a name already taken, with a message that says which; allow/deny lists
 * mirror Phlo's plugins_whitelist / plugins_blacklist (exact names).
 */
import type { Plugin, PluginType, SourceConnectorPlugin, QualityCheckPlugin, TransformationPlugin } from './types.ts';

const REQUIRED: Record<PluginType, string[]> = {
  source: ['fetchPartition', 'getSchema'],
  quality: ['createCheck'],
  transform: ['transform'],
};

export class PluginError extends Error {
  constructor(message: string) { super(message); this.name = 'PluginError'; }
}

export class PluginRegistry {
  private plugins = new Map<string, Plugin>();
  private allow: Set<string> | null;
  private deny: Set<string>;

  constructor(options: { whitelist?: string[]; blacklist?: string[] } = {}) {
    this.allow = options.whitelist && options.whitelist.length ? new Set(options.whitelist) : null;
    this.deny = new Set(options.blacklist ?? []);
  }

  register(plugin: Plugin, options: { replace?: boolean } = {}): void {
    const name = plugin?.metadata?.name;
    if (!name || !plugin.metadata.version) throw new PluginError('A plugin needs metadata with at least a name and a version.');
    if (!(plugin.type in REQUIRED)) throw new PluginError(`Plugin "${name}" has type "${String(plugin.type)}"; use source, quality or transform.`);
    for (const m of REQUIRED[plugin.type]) {
      if (typeof (plugin as unknown as Record<string, unknown>)[m] !== 'function') {
        throw new PluginError(`Plugin "${name}" (${plugin.type}) has no ${m}() method, which every ${plugin.type} plugin must provide.`);
      }
    }
    if (this.allow && !this.allow.has(name)) return;
    if (this.deny.has(name)) return;
    const key = `${plugin.type}:${name}`;
    if (this.plugins.has(key) && !options.replace) throw new PluginError(`A ${plugin.type} plugin named "${name}" is already registered; pick another name or pass { replace: true }.`);
    this.plugins.set(key, plugin);
  }

  private get<T extends Plugin>(type: PluginType, name: string): T {
    const p = this.plugins.get(`${type}:${name}`);
    if (!p) {
      const known = this.list(type).map((x) => x.metadata.name).join(', ') || 'none';
      throw new PluginError(`No ${type} plugin named "${name}" is registered (known: ${known}).`);
    }
    return p as T;
  }

  source(name: string): SourceConnectorPlugin { return this.get('source', name); }
  quality(name: string): QualityCheckPlugin { return this.get('quality', name); }
  transform(name: string): TransformationPlugin { return this.get('transform', name); }

  list(type?: PluginType): Plugin[] {
    return [...this.plugins.values()].filter((p) => !type || p.type === type).sort((a, b) => (a.type + a.metadata.name).localeCompare(b.type + b.metadata.name));
  }
}
