/**
 * The example GitHub events source plugin (Part 13) as a plain object, for code that imports
 * plugins directly (tests, `index.ts`). It is the plugin the example module
 * `github-module.ts` declares, so the two cannot drift: config { events: object[] }.
 */
import type { SourceConnectorPlugin } from '../types.ts';
import type { TableSchema } from '../../validate/schema.ts';
import { createPluginApi } from '../api.ts';
import githubPlugin from './github-module.ts';

export const githubEventsSource = githubPlugin(createPluginApi()).plugins![0] as SourceConnectorPlugin;

export const GitHubEvents: TableSchema = githubEventsSource.getSchema({});
