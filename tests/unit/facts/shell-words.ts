/**
 * Splits a shell snippet, as the site shows it, into simple commands with their words and the
 * line each starts on, so the real-stack check can look at `phlo`, `make`, `docker`, `curl`,
 * `dbt` and `trino` invocations one at a time.
 *
 * Why hand-written: the snippets are short, POSIX-shaped and never use here-documents; what the
 * check needs is exactly the word splitting a reader's shell does (quotes, backslash line
 * continuations, comments, `&&`/`||`/`;`/`|` separators) plus line numbers, which no library in
 * package.json gives. Substitutions (`$(…)`, `$VAR`) are kept as literal text: the check skips
 * words it cannot know.
 */

export interface SimpleCommand {
  /** The words after quote removal, e.g. ['phlo', 'materialize', 'dlt_glucose_entries']. */
  words: string[];
  /** 0-based line (within the snippet) where the command's first word is. */
  line: number;
}

/** Shell keywords that may open a command without being the program name. */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'time', 'exec']);

export function splitShell(script: string): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let line = 0;
  let startLine = -1;
  const endWord = () => {
    if (inWord) {
      if (words.length === 0) startLine = startLineOfWord;
      words.push(word);
    }
    word = '';
    inWord = false;
  };
  let startLineOfWord = 0;
  const beginWord = () => {
    if (!inWord) {
      inWord = true;
      startLineOfWord = line;
    }
  };
  const endCommand = () => {
    endWord();
    while (words.length > 0 && KEYWORDS.has(words[0])) words.shift();
    // A leading VAR=value assignment sets the environment of the command; it is not the program.
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift();
    if (words.length > 0 && !/^[A-Za-z_][A-Za-z0-9_]*\(\)$/.test(words[0])) out.push({ words, line: startLine });
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === '\\' && script[i + 1] === '\n') {
      i++;
      line++;
      continue;
    }
    if (c === '\\') {
      beginWord();
      word += script[i + 1] ?? '';
      i++;
      continue;
    }
    if (c === "'") {
      beginWord();
      const end = script.indexOf("'", i + 1);
      const stop = end < 0 ? script.length : end;
      const text = script.slice(i + 1, stop);
      line += (text.match(/\n/g) ?? []).length;
      word += text;
      i = stop;
      continue;
    }
    if (c === '"') {
      beginWord();
      let j = i + 1;
      while (j < script.length && script[j] !== '"') {
        if (script[j] === '\\' && /["\\$`]/.test(script[j + 1] ?? '')) {
          word += script[j + 1];
          j += 2;
          continue;
        }
        if (script[j] === '\n') line++;
        word += script[j];
        j++;
      }
      i = j;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
      i--;
      continue;
    }
    if (c === '\n') {
      endCommand();
      line++;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      continue;
    }
    if (c === '&' && (word.endsWith('>') || word.endsWith('<') || script[i + 1] === '>')) {
      beginWord();
      word += c;
      continue;
    }
    if (c === ';' || c === '|' || c === '&') {
      endCommand();
      if (script[i + 1] === c) i++;
      continue;
    }
    if (c === '(' || c === ')') {
      // Subshells and $(…) substitutions: keep the text in the word, the check skips it.
      beginWord();
      word += c;
      continue;
    }
    beginWord();
    word += c;
  }
  endCommand();
  return out;
}
