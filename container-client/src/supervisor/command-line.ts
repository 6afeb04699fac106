import { ConfigError } from "../errors.js";

/**
 * Splits `AGENT_COMMAND` like a POSIX shell splits a simple command line: whitespace
 * separates words, single quotes keep everything literal, double quotes keep whitespace
 * (a backslash escapes `"`, `\`, `$` and `` ` `` inside them), a backslash outside quotes
 * escapes the next character. No expansion of any kind happens.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\") {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== null) throw new ConfigError("AGENT_COMMAND has an unterminated quote");
  if (inWord) words.push(word);
  if (words.length === 0) throw new ConfigError("AGENT_COMMAND is empty");
  return words;
}
