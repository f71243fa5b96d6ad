// Child process for killed-writer.test.ts: one writer appending to glucose.raw on main of a
// warehouse on disk, through the catalog, as the pipeline does.
//   node killed-writer.mjs DIR STOP_AT FIRST_ID COUNT [REPEAT]
// Every file-system step the storage takes (writeFile, link, rename, rm, copyFile) is
// counted; at step STOP_AT the writer prints "stopped at <n> <call>" and waits forever, for
// the test to SIGKILL it there. STOP_AT 0 never stops and prints "steps <n>" at the end.
// REPEAT > 1 appends REPEAT times (rows FIRST_ID.., COUNT per append), retrying conflicts.
import { promises as fsp } from 'node:fs';

const [dir, stopAtArg, firstArg, countArg, repeatArg] = process.argv.slice(2);
const stopAt = Number(stopAtArg);
let steps = 0;
for (const name of ['writeFile', 'link', 'rename', 'rm', 'copyFile']) {
  const original = fsp[name];
  fsp[name] = async (...args) => {
    steps++;
    if (steps === stopAt) {
      process.stdout.write(`stopped at ${steps} ${name} ${String(args[0]).slice(dir.length)}\n`);
      await new Promise(() => {});
    }
    return original.apply(fsp, args);
  };
}

const { NodeFsStorage } = await import('../../../sandboxes/lakehouse/storage/node-fs.ts');
const { openWarehouse } = await import('../../../sandboxes/lakehouse/warehouse.ts');
const { rowsToArrow, CommitConflictError } = await import('../../../sandboxes/lakehouse/iceberg/index.ts');

const w = await openWarehouse({ storage: new NodeFsStorage(dir), author: `writer-${process.pid}` });
const first = Number(firstArg);
const count = Number(countArg);
for (let r = 0; r < Number(repeatArg ?? 1); r++) {
  const ids = Array.from({ length: count }, (_, i) => first + r * count + i);
  for (let attempt = 0; ; attempt++) {
    try {
      const t = await w.table('glucose.raw', { message: `append ${ids[0]}..${ids.at(-1)}` });
      await t.append(rowsToArrow(ids.map((id) => ({ id, who: `p${process.pid}` })), t.schema()));
      break;
    } catch (err) {
      if (!(err instanceof CommitConflictError) || attempt > 50) throw err;
      await new Promise((res) => setTimeout(res, Math.random() * 20));
    }
  }
}
process.stdout.write(`steps ${steps}\n`);
