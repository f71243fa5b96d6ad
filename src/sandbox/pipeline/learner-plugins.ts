/**
 * The learner's plugin files (`plugins/*.ts` in the pipeline pane): transpiled with sucrase,
 * evaluated as modules (a blob URL in the browser, a data: URL in the Node tests), and
 * resolved with the same code as the Node CLI's `--plugin FILE` (plugins/api.ts).
 *
 * Discovery: every file under plugins/ that the section lists is registered on every run,
 * the way Phlo registers every installed package that declares a `phlo.plugins.*` entry
 * point. A file that does not load (a syntax error, an import, a throw) is reported with
 * its path and line and skipped for that run, as Phlo logs and skips a broken plugin; the
 * file itself is never touched.
 */
import { transpile, blobImport, type ModuleImporter } from './learner-config.ts';
import { resolvePluginModule, type LoadedPluginModule, type PluginApi, type PluginModule } from '../../../sandboxes/pipeline/plugins/api.ts';

export const PLUGIN_DIR = 'plugins/';

export function isPluginFile(path: string): boolean {
  return path.startsWith(PLUGIN_DIR) && path.endsWith('.ts');
}

/** The plugin files a section can list, and the repository file each one starts as. */
export const SHIPPED_PLUGIN_FILES: Readonly<Record<string, string>> = {
  'plugins/github_events.ts': 'sandboxes/pipeline/plugins/examples/github-module.ts',
  'plugins/my_source.ts': 'sandboxes/pipeline/plugins/learner/my_source.ts',
  'plugins/my_check.ts': 'sandboxes/pipeline/plugins/learner/my_check.ts',
};

/** How a skipped plugin file is reported (the terminal prints it in red). */
export function skippedMessage(err: unknown, path: string): string {
  const text = err instanceof Error ? err.message : String(err);
  return `${text.startsWith(path) ? '' : `${path}: `}${text}\n  This plugin file was skipped for this run (Phlo skips a plugin that fails to load, too); fix it and run again. Your file is kept as it is.`;
}

export async function loadLearnerPlugins(
  files: Record<string, string>,
  api: PluginApi,
  importModule: ModuleImporter = blobImport,
  onError: (err: Error, path: string) => void = () => {},
): Promise<LoadedPluginModule[]> {
  const out: LoadedPluginModule[] = [];
  for (const path of Object.keys(files).filter(isPluginFile).sort()) {
    try {
      const js = transpile(files[path]!, path);
      const imp = /^\s*(import\s[^;]*?from\s*['"][^'"]+['"]|import\s*['"][^'"]+['"])/m.exec(js);
      if (imp) throw new Error(`${path}: "${imp[1]}": a plugin file cannot import modules here; everything it uses arrives in \`phlo\` (type-only imports are fine).`);
      let mod: PluginModule;
      try {
        mod = (await importModule(js)) as PluginModule;
      } catch (err) {
        throw new Error(`${path}: the module threw while loading: ${(err as Error).message}`);
      }
      out.push(resolvePluginModule(mod, path, api));
    } catch (err) {
      onError(err as Error, path);
    }
  }
  return out;
}
