/**
 * "Download this lakehouse": the section's current state on a chosen branch or tag, as a zip
 * of standard Iceberg tables that DuckDB, PyIceberg, Spark, Trino and Phlo's Nessie open
 * (sandboxes/lakehouse/export). Iceberg metadata holds absolute locations, so the learner
 * first says where the files will live: a folder on their machine (a per-OS suggestion to
 * edit) or s3://bucket/prefix for MinIO. The zip is the CLI's, byte for byte, for the same
 * state (`npm run lakehouse -- export --ref REF --to DEST --zip FILE`); it is assembled chunk
 * by chunk and handed to the browser as a download, nothing leaves the page otherwise.
 */
import type { SandboxSession } from '../runtime/session.ts';
import { planExport, zipExport, parseDestination, suggestedFolder, ExportError } from '../../../sandboxes/lakehouse/export/index.ts';
import { zipName } from '../../../sandboxes/lakehouse/export/readme.ts';
import { h, nextId, errorText } from './dom.ts';

export function downloadControl(session: SandboxSession, announce: (text: string) => void): HTMLElement {
  const refId = nextId('sbx-export-ref');
  const destId = nextId('sbx-export-dest');
  const refSelect = h('select', { id: refId, class: 'sbx-select', 'data-export-ref': '' });
  const destInput = h('input', { id: destId, class: 'sbx-input', type: 'text', spellcheck: 'false', autocomplete: 'off', 'data-export-dest': '', value: suggestedFolder(navigator.userAgent) });
  const status = h('p', { class: 'sbx-note', role: 'status', 'data-export-status': '' });
  const go = h('button', { type: 'submit', class: 'sbx-btn sbx-primary', 'data-export-go': '' }, 'Download .zip');
  const form = h(
    'form',
    { class: 'sbx-export', 'data-export': '' },
    h('label', { for: refId }, 'Branch or tag '),
    refSelect,
    h('label', { for: destId }, ' will live in '),
    destInput,
    go,
    h('p', { class: 'sbx-note' }, 'Every location inside the tables points there: unzip into that folder, or upload it to that s3:// prefix. The README.txt inside says how to open the tables in each engine.'),
    status,
  );
  const details = h('details', { class: 'sbx-download', 'data-download': '' }, h('summary', { class: 'sbx-btn' }, 'Download this lakehouse'), form);

  const fillRefs = async () => {
    const refs = await session.warehouse.references();
    const current = refSelect.value || 'main';
    refSelect.replaceChildren(...refs.sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'BRANCH' ? -1 : 1)).map((r) => h('option', { value: r.name }, `${r.name} (${r.type.toLowerCase()})`)));
    refSelect.value = refs.some((r) => r.name === current) ? current : 'main';
  };
  details.addEventListener('toggle', () => { if (details.open) void fillRefs(); });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const ref = refSelect.value || 'main';
    let destination;
    try {
      destination = parseDestination(destInput.value);
    } catch (err) {
      status.textContent = err instanceof ExportError ? err.message : errorText(err);
      destInput.setAttribute('aria-invalid', 'true');
      destInput.focus();
      return;
    }
    destInput.removeAttribute('aria-invalid');
    go.disabled = true;
    status.textContent = `Exporting '${ref}'…`;
    const started = performance.now();
    try {
      const plan = await planExport(session.warehouse, { ref, destination });
      const chunks: BlobPart[] = [];
      const size = await zipExport(plan, (c) => { chunks.push(c as BlobPart); });
      const blob = new Blob(chunks, { type: 'application/zip' });
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: zipName(ref), hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      status.textContent = `${plan.tables.length} table(s) on '${ref}', ${plan.files.length} files, ${(size / 1_048_576).toFixed(1)} MB, in ${seconds} s. Locations point into ${destination.root}.`;
      status.dataset.bytes = String(size);
      announce(`Downloaded the lakehouse on ${ref}.`);
    } catch (err) {
      status.textContent = `The export failed: ${errorText(err)}`;
    } finally {
      go.disabled = false;
    }
  });
  return details;
}
