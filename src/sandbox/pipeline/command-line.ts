/** The terminal's command line, split into the argv the pipeline CLI takes. */

/** Split a command line like a shell would (quotes group words); drop a leading `npm run pipeline --`. */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? m[3]!);
  if (out[0] === 'npm' && out[1] === 'run' && out[2] === 'pipeline') out.splice(0, out[3] === '--' ? 4 : 3);
  else if (out[0] === 'pipeline' || out[0] === 'phlo') out.shift();
  return out;
}
