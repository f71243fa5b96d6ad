/**
 * Checks one real-stack command, as the site shows it, against the facts about Phlo at the
 * pinned commit (tests/facts/): the `phlo` command tree (commands, arguments, options, flags,
 * choices), the root Makefile's targets, and the two stacks a reader can start (services,
 * container names, ports, Trino catalogs and tables, dbt models, Dagster assets).
 *
 * Why: a reader who leaves the sandbox for Docker copies these commands as they are. A wrong
 * option, a missing argument, a container that does not exist in the stack the part uses, or a
 * miniature-only command in a real-stack block is the first thing such a reader meets. Each
 * problem comes back as one sentence a writer can act on ("phlo materialize: missing argument
 * ASSET_NAME").
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { splitShell } from './shell-words.ts';

export type StackName = 'root' | 'example';

interface CliOption { flags: string[]; is_flag: boolean; required: boolean; choices: string[] | null }
interface CliArgument { name: string; required: boolean; nargs: number }
export interface CliNode { name: string; kind: 'group' | 'command'; arguments: CliArgument[]; options: CliOption[]; commands?: Record<string, CliNode> }
interface StackFacts {
  label: string;
  services: Record<string, { container: string; ports: number[] }>;
  trinoCatalogs: string[];
  trinoTables: Record<string, string[]>;
  trinoTablesNote?: string;
  dbtModels: string[];
  /** Names dbt generates for the unique/not_null tests the models' YAML declares (unique_<model>_<column>). */
  dbtTests: string[];
  assets: string[];
}
export interface Facts {
  cli: CliNode;
  make: { targets: Record<string, { runs: string; fails?: string }> };
  stacks: Record<StackName, StackFacts>;
  trinoMetadataTables: string[];
  brokenPhlo: Record<string, string>;
  miniatureCommands: string[];
  miniatureOptions: string[];
}

const factsDir = new URL('../../facts/', import.meta.url);
const readJson = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(name, factsDir)), 'utf8'));

export function loadFacts(): Facts {
  const stacks = readJson('phlo-stacks.json');
  return {
    cli: readJson('phlo-cli.json'),
    make: readJson('phlo-make.json'),
    stacks: stacks.stacks,
    trinoMetadataTables: stacks.trinoMetadataTables,
    brokenPhlo: stacks.brokenPhlo,
    miniatureCommands: stacks.miniatureCommands,
    miniatureOptions: stacks.miniatureOptions,
  };
}

export interface Context {
  stack: StackName;
  facts: Facts;
}

/** One problem: the 0-based line within the snippet and what is wrong. */
export interface Problem { line: number; reason: string }

/** Every problem of a snippet (one command or a whole shell block). */
export function checkScript(script: string, ctx: Context): Problem[] {
  const trimmed = script.trim();
  // A Trino statement on its own (typed at the prompt of a Trino CLI the panel opened first).
  if (/^(SELECT|SHOW|DESCRIBE|ALTER|CALL|WITH)\b/i.test(trimmed)) {
    return checkTrinoSql(trimmed, {}, ctx).map((reason) => ({ line: 0, reason }));
  }
  const problems: Problem[] = [];
  for (const cmd of splitShell(script)) {
    for (const reason of checkWords(cmd.words, ctx)) problems.push({ line: cmd.line, reason });
  }
  return problems;
}

/** Problems of one simple command given as words. */
export function checkWords(words: string[], ctx: Context): string[] {
  let w = words;
  if (w[0] === 'uv' && w[1] === 'run') w = w.slice(2);
  if (w[0] === 'sudo') w = w.slice(1);
  const program = w[0];
  if (ctx.facts.miniatureCommands.includes(program)) {
    return [`"${w.join(' ')}" is a command of the browser miniature's terminal, not of Phlo: mark the block as a sandbox block or use the phlo command`];
  }
  switch (program) {
    case 'phlo':
      return checkPhlo(w.slice(1), ctx);
    case 'make':
      return checkMake(w.slice(1), ctx);
    case 'docker':
      return checkDocker(w.slice(1), ctx);
    case 'curl':
      return checkCurl(w.slice(1), ctx);
    case 'dbt':
      return checkDbt(w.slice(1), ctx);
    case 'dagster':
      return checkDagster(w.slice(1), ctx);
    case 'trino':
      return checkTrinoCli(w.slice(1), ctx);
    case 'open':
      return ['"open" exists on macOS only: give the URL to open in a browser'];
    default:
      return [];
  }
}

// ---------------------------------------------------------------- phlo

const GLOBAL_FLAGS = new Set(['--help', '-h']);

export function checkPhlo(args: string[], ctx: Context): string[] {
  let node = ctx.facts.cli;
  const path: string[] = ['phlo'];
  let i = 0;
  while (node.kind === 'group') {
    const next = args[i];
    if (next === undefined) return [`${path.join(' ')}: needs a command (${Object.keys(node.commands ?? {}).join(', ')})`];
    if (next === '--help' || (path.length === 1 && next === '--version')) return [];
    const child = node.commands?.[next];
    if (!child) return [`${path.join(' ')}: no command "${next}" at the pinned commit (commands: ${Object.keys(node.commands ?? {}).join(', ')})`];
    node = child;
    path.push(next);
    i++;
  }
  const name = path.join(' ');
  const problems: string[] = [];
  for (const [prefix, reason] of Object.entries(ctx.facts.brokenPhlo)) {
    if (name === `phlo ${prefix}` || name.startsWith(`phlo ${prefix} `)) problems.push(`${name}: fails at the pinned commit: ${reason}`);
  }
  const positionals: string[] = [];
  const given = new Map<string, string[]>();
  const optionFor = (flag: string) => node.options.find((o) => o.flags.includes(flag));
  const rest = args.slice(i);
  for (let k = 0; k < rest.length; k++) {
    const a = rest[k];
    if (a === '--') {
      positionals.push(...rest.slice(k + 1));
      break;
    }
    if (GLOBAL_FLAGS.has(a)) return problems;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const flag = eq > 0 ? a.slice(0, eq) : a;
      if (ctx.facts.miniatureOptions.includes(flag)) {
        problems.push(`${flag} is an option of the browser miniature's terminal, not of ${name}`);
        continue;
      }
      const opt = optionFor(flag);
      if (!opt) {
        problems.push(`unknown option ${flag} for ${name}`);
        // click stops at the first unknown option; its likely value is not a positional.
        if (eq < 0 && rest[k + 1] !== undefined && !rest[k + 1].startsWith('-')) k++;
        continue;
      }
      if (opt.is_flag) {
        if (eq > 0) problems.push(`${name}: ${flag} is a flag and takes no value`);
        given.set(flag, []);
        continue;
      }
      const value = eq > 0 ? a.slice(eq + 1) : rest[++k];
      if (value === undefined) {
        problems.push(`${name}: option ${flag} needs a value`);
        continue;
      }
      if (opt.choices && !opt.choices.includes(value)) problems.push(`${name}: ${flag} ${value} is not one of ${opt.choices.join(', ')}`);
      given.set(flag, [...(given.get(flag) ?? []), value]);
      continue;
    }
    if (/^-[A-Za-z]/.test(a)) {
      // Short options: flags may be bundled (-vf); an option with a value takes the rest or the next word.
      for (let c = 1; c < a.length; c++) {
        const flag = `-${a[c]}`;
        const opt = optionFor(flag);
        if (!opt) {
          if (flag !== '-h') problems.push(`unknown option ${flag} for ${name}`);
          break;
        }
        if (opt.is_flag) continue;
        const value = c + 1 < a.length ? a.slice(c + 1) : rest[++k];
        if (value === undefined) problems.push(`${name}: option ${flag} needs a value`);
        else if (opt.choices && !opt.choices.includes(value)) problems.push(`${name}: ${flag} ${value} is not one of ${opt.choices.join(', ')}`);
        else given.set(opt.flags.find((f) => f.startsWith('--')) ?? flag, [value]);
        break;
      }
      continue;
    }
    positionals.push(a);
  }
  node.arguments.forEach((arg, n) => {
    if (arg.required && positionals[n] === undefined) problems.push(`${name}: missing argument ${arg.name.toUpperCase()}`);
  });
  if (positionals.length > node.arguments.length) {
    problems.push(`${name}: unexpected extra argument "${positionals[node.arguments.length]}"`);
  }
  // Names of assets the command reads or runs must exist in the stack the block uses.
  const stack = ctx.facts.stacks[ctx.stack];
  const assetArg = node.arguments.find((a) => a.name === 'asset_name');
  if (assetArg && ['phlo materialize', 'phlo backfill', 'phlo metrics asset', 'phlo lineage show', 'phlo lineage impact', 'phlo lineage export'].includes(name)) {
    const asset = positionals[node.arguments.indexOf(assetArg)];
    if (asset !== undefined && !stack.assets.includes(asset)) problems.push(`${name}: no asset "${asset}" in ${stack.label}`);
  }
  for (const sel of given.get('--select') ?? []) problems.push(...checkDagsterSelection(sel, ctx, name));
  return problems;
}

/** Dagster's asset selection: keys joined by commas, with +/* (and counted +) up or down. */
function checkDagsterSelection(selection: string, ctx: Context, who: string): string[] {
  const stack = ctx.facts.stacks[ctx.stack];
  const problems: string[] = [];
  for (const raw of selection.split(',')) {
    const part = raw.trim();
    if (/^kind:/.test(part)) {
      problems.push(`${who}: "${part}" is the browser miniature's selection; Dagster's asset selection in the CLI takes keys, +/* and tag:/group:`);
      continue;
    }
    if (/^(tag|group|key|owner|code_location):/.test(part)) continue;
    const key = part.replace(/^\**\+*\d*\+*\**/, '').replace(/\+*\d*\+*\**$/, '').replace(/\*$/, '');
    if (!stack.assets.includes(key)) problems.push(`${who}: no asset "${key}" in ${stack.label} (selection "${selection}")`);
  }
  return problems;
}

// ---------------------------------------------------------------- make

function checkMake(args: string[], ctx: Context): string[] {
  const targets = args.filter((a) => !a.startsWith('-') && !a.includes('='));
  const problems: string[] = [];
  if (ctx.stack !== 'root') problems.push(`make runs the root stack's Makefile, but this block uses ${ctx.facts.stacks[ctx.stack].label}: mark the block stack="root" or use the phlo services command`);
  for (const t of targets.length ? targets : ['(default)']) {
    const fact = ctx.facts.make.targets[t];
    if (t === '(default)') continue;
    if (!fact) problems.push(`make ${t}: no such target in the Makefile at the pinned commit`);
    else if (fact.fails) problems.push(`make ${t}: fails at the pinned commit: ${fact.fails}`);
  }
  return problems;
}

// ---------------------------------------------------------------- docker

function checkDocker(args: string[], ctx: Context): string[] {
  const stack = ctx.facts.stacks[ctx.stack];
  const containers = new Set(Object.values(stack.services).map((s) => s.container));
  if (args[0] === 'exec' || args[0] === 'logs' || args[0] === 'restart' || args[0] === 'stop' || args[0] === 'start') {
    // docker exec [-it] [-e K=V] [-w DIR] CONTAINER COMMAND…
    let k = 1;
    while (k < args.length && args[k].startsWith('-')) {
      if (['-e', '--env', '-w', '--workdir', '-u', '--user', '-n', '--tail', '--since'].includes(args[k])) k++;
      k++;
    }
    const container = args[k];
    if (container === undefined) return [`docker ${args[0]}: missing the container name`];
    if (container.startsWith('$')) return [];
    const problems: string[] = [];
    if (!containers.has(container)) problems.push(`docker ${args[0]}: no container "${container}" in ${stack.label}`);
    if (args[0] === 'exec') problems.push(...checkWords(args.slice(k + 1), ctx).map((r) => `inside ${container}: ${r}`));
    return problems;
  }
  if (args[0] === 'compose') {
    const rest = args.slice(1);
    const problems: string[] = [];
    let k = 0;
    let hasFile = false;
    while (k < rest.length && rest[k].startsWith('-')) {
      if (['-f', '--file', '-p', '--project-name', '--profile', '--env-file'].includes(rest[k])) {
        if (rest[k] === '-f' || rest[k] === '--file') hasFile = true;
        k++;
      }
      k++;
    }
    const sub = rest[k];
    if (['up', 'down', 'logs', 'restart', 'stop', 'start', 'ps', 'exec', 'pull', 'build', 'rm'].includes(sub ?? '')) {
      if (ctx.stack === 'example' && !hasFile) {
        problems.push(`docker compose in ${stack.label} needs -p glucose-platform -f .phlo/docker-compose.yml (the compose file lives in .phlo/), or use phlo services status/logs`);
      }
      let j = k + 1;
      const services: string[] = [];
      while (j < rest.length) {
        const a = rest[j];
        if (a.startsWith('-')) {
          if (['-n', '--tail', '--since', '-e', '-w', '-u', '--scale'].includes(a)) j++;
          j++;
          continue;
        }
        services.push(a);
        j++;
        if (sub === 'exec') break; // the rest is the command inside the service
      }
      for (const s of services) if (!s.startsWith('$') && !stack.services[s]) problems.push(`docker compose ${sub}: no service "${s}" in ${stack.label}`);
      if (sub === 'exec') problems.push(...checkWords(rest.slice(j), ctx));
    }
    return problems;
  }
  return [];
}

// ---------------------------------------------------------------- curl

function checkCurl(args: string[], ctx: Context): string[] {
  const stack = ctx.facts.stacks[ctx.stack];
  const ports = new Set(Object.values(stack.services).flatMap((s) => s.ports));
  const problems: string[] = [];
  for (const a of args) {
    const m = /^https?:\/\/(localhost|127\.0\.0\.1):(\d+)/.exec(a);
    if (m && !ports.has(Number(m[2]))) problems.push(`curl ${a}: nothing in ${stack.label} publishes port ${m[2]}`);
  }
  return problems;
}

// ---------------------------------------------------------------- dbt

const DBT_METHODS = new Set(['tag', 'source', 'path', 'file', 'test_name', 'test_type', 'resource_type', 'config', 'package', 'fqn', 'state', 'result', 'exposure', 'metric']);

function checkDbt(args: string[], ctx: Context): string[] {
  const stack = ctx.facts.stacks[ctx.stack];
  const problems: string[] = [];
  for (let k = 0; k < args.length; k++) {
    if (args[k] !== '--select' && args[k] !== '-s' && args[k] !== '--models' && args[k] !== '-m') continue;
    for (let j = k + 1; j < args.length && !args[j].startsWith('-'); j++) {
      for (const part of args[j].split(',')) {
        const m = /^([a-z_]+):(.+)$/.exec(part);
        if (m) {
          if (!DBT_METHODS.has(m[1])) problems.push(`dbt --select ${args[j]}: "${m[1]}:" is not a dbt selector method`);
          continue;
        }
        const name = part.replace(/^@/, '').replace(/^\d*\+/, '').replace(/\+\d*$/, '');
        if (name.includes('.')) {
          problems.push(`dbt --select ${args[j]}: "${name}" is not a valid dbt selector (a test is selected by its name or by intersection, e.g. "model,test_name:unique")`);
          continue;
        }
        if (!stack.dbtModels.includes(name) && !stack.dbtTests.includes(name)) problems.push(`dbt --select: no model or declared test "${name}" in ${stack.label}`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------- dagster

function checkDagster(args: string[], ctx: Context): string[] {
  const problems: string[] = [];
  const at = args.indexOf('--select');
  if (args[0] === 'asset' && args[1] === 'materialize' && at >= 0 && args[at + 1]) {
    problems.push(...checkDagsterSelection(args[at + 1], ctx, 'dagster asset materialize'));
  }
  return problems;
}

// ---------------------------------------------------------------- trino

function checkTrinoCli(args: string[], ctx: Context): string[] {
  const defaults: { catalog?: string; schema?: string } = {};
  let sql: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    const value = (flag: string) => (a === flag ? args[++k] : a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : undefined);
    defaults.catalog = value('--catalog') ?? defaults.catalog;
    defaults.schema = value('--schema') ?? defaults.schema;
    const s = a === '--execute' || a === '-e' ? args[++k] : a.startsWith('--execute=') ? a.slice(10) : undefined;
    if (s !== undefined) sql = s;
  }
  return sql === undefined ? [] : checkTrinoSql(sql, defaults, ctx);
}

/** Table names after FROM/JOIN/TABLE/DESCRIBE must exist in the stack's Trino catalogs. */
export function checkTrinoSql(sql: string, defaults: { catalog?: string; schema?: string }, ctx: Context): string[] {
  const stack = ctx.facts.stacks[ctx.stack];
  const problems: string[] = [];
  const ident = String.raw`(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)`;
  const name = new RegExp(String.raw`\b(FROM|JOIN|TABLE|DESCRIBE|INTO|UPDATE)\s+(${ident}(?:\.${ident}){0,2})`, 'gi');
  // Names a WITH clause defines are not tables of the stack.
  const ctes = new Set([...sql.matchAll(/(?:\bWITH|,)\s+([A-Za-z_][A-Za-z0-9_]*)\s+AS\s*\(/gi)].map((m) => m[1].toLowerCase()));
  for (const m of sql.matchAll(name)) {
    const keyword = m[1].toUpperCase();
    const parts = m[2].split('.').map((p) => p.replace(/^"|"$/g, ''));
    if (/^(SELECT|UNNEST|LATERAL)$/i.test(parts[0])) continue;
    if (parts.length === 1 && ctes.has(parts[0].toLowerCase())) continue;
    // extract(hour FROM ts), substring(s FROM 2), trim(BOTH FROM s): FROM inside a function call.
    if (keyword === 'FROM' && /\b(extract|substring|trim|position|overlay)\s*\([^()]*$/i.test(sql.slice(0, m.index))) continue;
    const before = sql.slice(0, m.index).toUpperCase();
    if (keyword === 'FROM' && /SHOW\s+(SCHEMAS|TABLES|COLUMNS)\s*$/.test(before)) {
      // SHOW SCHEMAS FROM catalog / SHOW TABLES FROM [catalog.]schema
      const catalog = /SHOW\s+SCHEMAS\s*$/.test(before) ? parts[0] : parts.length > 1 ? parts[0] : defaults.catalog;
      if (catalog && !stack.trinoCatalogs.includes(catalog)) problems.push(`Trino: no catalog "${catalog}" in ${stack.label}`);
      continue;
    }
    const [catalog, schema, table] = parts.length === 3 ? parts : parts.length === 2 ? [defaults.catalog, ...parts] : [defaults.catalog, defaults.schema, parts[0]];
    if (!catalog || !schema) {
      problems.push(`Trino: "${m[2]}" names no catalog and schema (use --catalog/--schema or catalog.schema.table)`);
      continue;
    }
    if (!stack.trinoCatalogs.includes(catalog)) {
      problems.push(`Trino: no catalog "${catalog}" in ${stack.label}`);
      continue;
    }
    const [base, meta] = table.split('$');
    if (meta !== undefined && !ctx.facts.trinoMetadataTables.includes(meta)) problems.push(`Trino: "$${meta}" is not an Iceberg metadata table`);
    if (catalog === 'postgres') continue;
    if (!(stack.trinoTables[schema] ?? []).includes(base)) {
      problems.push(`Trino: no table ${schema}.${base} in ${stack.label}${stack.trinoTablesNote ? ` (${stack.trinoTablesNote})` : ''}`);
    }
  }
  return problems;
}
