/**
 * Workshop mode: the agendas point at published parts and existing hands-on sections, the
 * guide links every hands-on block to its checkpoint, and the workshop server, bound to every
 * interface, holds a room of 30 attendees downloading the site and the sandboxes at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DIST, requireDist } from './dist.ts';
import { agendas, agendaTimes, facilitatorNotes } from '../../src/data/workshop.ts';
import { sections } from '../../src/sandbox/sections/index.ts';
import { parts } from '../../src/data/series.ts';
import { createSiteServer } from '../../scripts/serve.mjs';
import { simulateRoom, roomFiles } from '../../scripts/room-load.mjs';
import { roomAddresses } from '../../scripts/room-addresses.mjs';

const pageOf = (n: number) => path.join(DIST, 'parts', parts.find((p) => p.number === n)!.slug, 'index.html');

test('every agenda block is a published part or an existing hands-on section of that part, with notes', () => {
  requireDist();
  for (const agenda of agendas) {
    for (const b of agenda.blocks) {
      if (!('part' in b)) continue;
      assert.ok(existsSync(pageOf(b.part)), `${agenda.id}: Part ${b.part} is published`);
      if (b.kind !== 'hands-on') continue;
      const s = sections[b.section];
      assert.ok(s, `${agenda.id}: section ${b.section} exists`);
      assert.equal(s!.part, b.part, `${b.section} belongs to Part ${b.part}`);
      assert.ok(facilitatorNotes[b.section]?.pitfalls.length && facilitatorNotes[b.section]?.unblock.length, `${b.section} has facilitator notes`);
    }
  }
  const half = agendaTimes(agendas.find((a) => a.id === 'half-day')!);
  const full = agendaTimes(agendas.find((a) => a.id === 'full-day')!);
  assert.ok(half.minutes >= 180 && half.minutes <= 240, `half day is ${half.minutes} min`);
  assert.ok(full.minutes >= 360 && full.minutes <= 480, `full day is ${full.minutes} min`);
  for (const id of Object.keys(facilitatorNotes)) assert.ok(sections[id], `notes for ${id} match a section`);
});

test('the guide gives every hands-on block a jump-to-checkpoint link to its section', () => {
  requireDist();
  const html = readFileSync(path.join(DIST, 'workshop', 'index.html'), 'utf8');
  for (const agenda of agendas) {
    for (const b of agenda.blocks) {
      if (b.kind !== 'hands-on') continue;
      const s = sections[b.section]!;
      const href = `/parts/${parts.find((p) => p.number === b.part)!.slug}/?checkpoint=${s.id}#${s.anchor}`;
      assert.ok(html.includes(`href="${href}"`), `${agenda.id}: a jump link ${href}`);
      const page = readFileSync(pageOf(b.part), 'utf8');
      assert.ok(page.includes(`id="${s.anchor}"`) && page.includes(`data-section="${s.id}"`), `${href} lands on the section`);
    }
  }
  const handout = readFileSync(path.join(DIST, 'workshop', 'handout', 'index.html'), 'utf8')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  for (const s of Object.values(sections).filter((x) => x.id !== 'lab')) {
    if (agendas[1]!.blocks.some((b) => b.kind === 'hands-on' && b.section === s.id)) {
      for (const t of s.tasks) assert.ok(handout.includes(t.title), `the handout lists "${t.title}"`);
    }
  }
});

test('the workshop server on every interface holds 30 attendees loading the site and the sandboxes', async () => {
  requireDist();
  const server = createSiteServer({ root: DIST });
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', () => r()));
  try {
    const port = (server.address() as AddressInfo).port;
    // Through the machine's network address when it has one: the bind is not loopback-only.
    const host = (roomAddresses() as { address: string }[])[0]?.address ?? '127.0.0.1';
    const r = await simulateRoom({ origin: `http://${host}:${port}`, files: roomFiles(DIST), clients: 30 });
    console.log(`room of 30 via ${host}: ${r.requests} requests, ${(r.bytes / 2 ** 20).toFixed(0)} MiB in ${(r.wallMs / 1000).toFixed(1)} s (${r.mbPerSecond.toFixed(0)} MiB/s); one attendee's first visit median ${(r.p50Ms / 1000).toFixed(1)} s, p95 ${(r.p95Ms / 1000).toFixed(1)} s`);
    assert.deepEqual(r.problems, []);
    assert.equal(r.requests, 30 * r.files);
    assert.ok(r.wallMs < 240_000, `the room was served in ${(r.wallMs / 1000).toFixed(0)} s`);
  } finally {
    server.close();
  }
});
