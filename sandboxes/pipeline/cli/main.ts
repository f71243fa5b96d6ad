/**
 * `npm run pipeline -- <command>`: the Node entry of the pipeline CLI. Errors are printed
 * as one paragraph on stderr with a non-zero exit; a failed run has already left main as
 * it was (the run works on its own branch).
 */
import { runCommand } from './commands.ts';
import { nodeWiring } from './node-wiring.ts';

const io = { out: (l: string) => process.stdout.write(l + '\n'), err: (l: string) => process.stderr.write(l + '\n') };
const wiring = nodeWiring(io);
let code = 1;
try {
  code = await runCommand(process.argv.slice(2), wiring, io);
} catch (err) {
  const e = err as Error;
  io.err(`${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
  code = 1;
} finally {
  await wiring.close().catch(() => {});
}
// DuckDB-WASM runs in a worker thread; leave without waiting for it.
process.exit(code);
