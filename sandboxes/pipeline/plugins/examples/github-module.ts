/**
 * The example plugin module (Part 13): GitHub user events as a source plugin, plus the
 * assets that use it. It is written the way a learner's plugin is written in the sandbox,
 * where it appears as `plugins/github_events.ts`: no imports (the type import below is
 * erased), everything it needs arrives in `phlo`. The Node CLI loads the same file:
 *   npm run pipeline -- --plugin sandboxes/pipeline/plugins/examples/github-module.ts materialize dlt_github_events+ --partition 2025-01-02
 *
 * The events come from a bundled sample file shaped like the REST API's
 * /users/{user}/events items (phlo.samples.githubEvents); the sandbox has no network.
 */
import type { PluginApi, PluginModuleExports } from '../api.ts';

export default function githubPlugin(phlo: PluginApi): PluginModuleExports {
  // [schema] The staged table: validated row by row, and used to create the Iceberg table.
  const GitHubEvents = phlo.defineSchema('GitHubEvents', {
    id: phlo.col.string({ nullable: false, unique: true, doc: 'Event id' }),
    type: phlo.col.string({ nullable: false, doc: 'PushEvent, PullRequestEvent, ...' }),
    actor_login: phlo.col.string({ nullable: false }),
    repo_name: phlo.col.string({ nullable: false }),
    public: phlo.col.bool(),
    created_at: phlo.col.timestamp({ nullable: false }),
    _dlt_load_id: phlo.col.string({ nullable: false }),
    _dlt_id: phlo.col.string({ nullable: false }),
  });
  // [/schema]

  // [source]
  const githubEvents = {
    type: 'source' as const,
    metadata: {
      name: 'github_events',
      version: '1.0.0',
      description: 'GitHub user events from a bundled JSON file (no network)',
      author: 'Phlo miniature',
      license: 'MIT',
      tags: ['github', 'example'],
    },
    /** One daily partition: the events created on that UTC day. */
    async fetchPartition(config: Record<string, unknown>, partition: string) {
      const events = config.events;
      if (!Array.isArray(events)) throw new Error('github_events needs config.events: the parsed JSON array of events.');
      const start = phlo.dayStart(partition);
      const records = (events as Record<string, unknown>[])
        .filter((e) => { const t = Date.parse(String(e.created_at)); return t >= start && t < start + 86_400_000; })
        // Flatten the nested objects the way DLT does (actor.login -> actor_login).
        .map((e) => ({
          id: e.id,
          type: e.type,
          actorLogin: (e.actor as { login?: string } | undefined)?.login ?? null,
          repoName: (e.repo as { name?: string } | undefined)?.name ?? null,
          public: e.public ?? null,
          createdAt: e.created_at,
        }));
      return { records, stats: { events_in_file: events.length } };
    },
    getSchema: () => GitHubEvents,
    async testConnection(config: Record<string, unknown>) { return Array.isArray(config.events); },
  };
  // [/source]

  return {
    plugins: [githubEvents],
    // [extend] The assets that use the plugin: an ingestion asset, a dbt model, a check.
    extend: (defs) => ({
      ...defs,
      ingestion: [...defs.ingestion, {
        name: 'dlt_github_events',
        table: 'raw.github_events',
        group: 'github',
        source: { plugin: 'github_events', config: { events: phlo.samples.githubEvents } },
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
    }),
    // [/extend]
  };
}
