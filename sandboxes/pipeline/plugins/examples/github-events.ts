/**
 * An example source plugin (Part 13): GitHub user events from a bundled JSON file, shaped like
 * the REST API's /users/{user}/events items. It shows everything a source plugin provides:
 * metadata, fetchPartition (one day's records), getSchema (the staged table's schema, which
 * also creates the Iceberg table), and testConnection.
 *
 * config: { events: object[] } — the parsed JSON (github-events.sample.json, or your own).
 */
import type { SourceConnectorPlugin } from '../types.ts';
import { col, defineSchema } from '../../validate/schema.ts';
import { dayStart } from '../../util/dates.ts';

export const GitHubEvents = defineSchema('GitHubEvents', {
  id: col.string({ nullable: false, unique: true, doc: 'Event id' }),
  type: col.string({ nullable: false, doc: 'PushEvent, PullRequestEvent, ...' }),
  actor_login: col.string({ nullable: false }),
  repo_name: col.string({ nullable: false }),
  public: col.bool(),
  created_at: col.timestamp({ nullable: false }),
  _dlt_load_id: col.string({ nullable: false }),
  _dlt_id: col.string({ nullable: false }),
});

export const githubEventsSource: SourceConnectorPlugin = {
  type: 'source',
  metadata: {
    name: 'github_events',
    version: '1.0.0',
    description: 'GitHub user events from a bundled JSON file (no network)',
    author: 'Phlo miniature',
    license: 'MIT',
    tags: ['github', 'example'],
  },
  async fetchPartition(config, partition) {
    const events = config.events;
    if (!Array.isArray(events)) throw new Error('github_events needs config.events: the parsed JSON array of events.');
    const start = dayStart(partition);
    const records = (events as Record<string, unknown>[])
      .filter((e) => { const t = Date.parse(String(e.created_at)); return t >= start && t < start + 86_400_000; })
      // Flatten the nested objects the way DLT does (actor.login -> actor_login).
      .map((e) => ({ id: e.id, type: e.type, actorLogin: (e.actor as { login?: string } | undefined)?.login ?? null, repoName: (e.repo as { name?: string } | undefined)?.name ?? null, public: e.public ?? null, createdAt: e.created_at }));
    return { records, stats: { events_in_file: events.length } };
  },
  getSchema: () => GitHubEvents,
  async testConnection(config) { return Array.isArray(config.events); },
};
