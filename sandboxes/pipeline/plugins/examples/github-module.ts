/**
 * A plugin module, the shape `npm run pipeline -- --plugin FILE` loads (Part 13):
 *   - `plugins`: the plugins to register (here the GitHub events source);
 *   - `extend(definitions)`: optional, adds assets that use them (here an ingestion asset,
 *     a dbt model over its table, and a check), returning the new definitions.
 * Try: npm run pipeline -- --plugin sandboxes/pipeline/plugins/examples/github-module.ts assets
 */
import type { Definitions } from '../../orchestrate/definitions.ts';
import type { Plugin } from '../types.ts';
import { githubEventsSource } from './github-events.ts';
import events from './github-events.sample.json' with { type: 'json' };

export const plugins: Plugin[] = [githubEventsSource];

export function extend(defs: Definitions): Definitions {
  return {
    ...defs,
    ingestion: [...defs.ingestion, {
      name: 'dlt_github_events',
      table: 'raw.github_events',
      group: 'github',
      source: { plugin: 'github_events', config: { events } },
      transforms: [{ plugin: 'dlt_normalize', config: { timestamps: ['created_at'] } }],
      uniqueKey: ['id'],
      mergeStrategy: 'merge',
      partitionColumn: 'created_at',
      description: 'GitHub user events from the bundled sample file.',
    }],
    project: {
      ...defs.project,
      'models/sources/github.yml': 'version: 2\nsources:\n  - name: github\n    schema: raw\n    tables:\n      - name: github_events\n',
      'models/silver/fct_github_daily_activity.sql': "-- Events per repository and day.\nselect cast(created_at as date) as event_date, repo_name, type, count(*) as events\nfrom {{ source('github', 'github_events') }}\ngroup by 1, 2, 3\n",
    },
    sourceAssets: { ...defs.sourceAssets, 'github.github_events': 'dlt_github_events' },
    checks: [...defs.checks, {
      name: 'github_events_quality', asset: 'dlt_github_events', table: 'raw.github_events', partitionColumn: 'created_at', blocking: true,
      description: 'Every event has an id, a type and a repository.',
      checks: [{ plugin: 'null_check', params: { columns: ['id', 'type', 'repo_name'] } }, { plugin: 'unique_check', params: { columns: ['id'] } }],
    }],
  };
}
