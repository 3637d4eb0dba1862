/**
 * A failure message as the collector evaluates it: text parts and holes (values only known at
 * run time), with every alternative the code can produce. Each message's key is its first words
 * (KEY_LETTERS letters, from the first word with a letter or digit), holes as wildcards; the key
 * must occur in runbook.md from "## Failure messages" on, ignoring case, backticks and table-cell
 * escapes. So the runbook quotes each message up to its first words at least, with <placeholders>
 * (or …) where the message has values.
 */
import type ts from 'typescript';

/** A value the message has at run time; `param` when it is a parameter of the enclosing function (a wrapper). */
export type Hole = { hole: true; param?: ts.ParameterDeclaration };
export type Part = string | Hole;
export type Message = Part[];

/** A key takes words of the message until it has this many letters (the runbook may shorten the rest with "…"). */
const KEY_LETTERS = 24;
/** More alternatives than this for one message, and it is evaluated as a hole. */
export const MAX_ALTERNATIVES = 16;
/** A hole in a key: any text, as little as possible (a placeholder such as `<arn>` or a value). */
const HOLE_PATTERN = '.{0,200}?';

/** Every way to join a left alternative to a right one; too many, and the whole is one hole. */
export function product(left: Message[], right: Message[]): Message[] {
  if (left.length * right.length > MAX_ALTERNATIVES) return [[{ hole: true }]];
  return left.flatMap((l) => right.map((r) => [...l, ...r]));
}

/** How many letters a text has: what makes a message (or a key) long enough to search for. */
export function letters(text: string): number {
  return (text.match(/\p{L}/gu) ?? []).length;
}

/** Adjacent text merged, whitespace collapsed, adjacent holes merged (keeping a parameter). */
export function normalise(message: Message): Message {
  const out: Message = [];
  for (const part of message) {
    const last = out.at(-1);
    if (typeof part === 'string') {
      if (part === '') continue;
      if (typeof last === 'string') out[out.length - 1] = last + part;
      else out.push(part);
    } else if (typeof last === 'object') {
      out[out.length - 1] = part.param ? part : last;
    } else out.push(part);
  }
  return out.map((p) => (typeof p === 'string' ? normaliseText(p) : p));
}

/** How messages and the runbook are compared: no backticks, no table-cell escapes, single spaces. */
export function normaliseText(text: string): string {
  return text.replace(/`/g, '').replace(/\\\|/g, '|').replace(/\s+/g, ' ');
}

/** The message as the failure list shows it: every hole as `…`. */
export function render(message: Message): string {
  return message
    .map((p) => (typeof p === 'string' ? p : '…'))
    .join('')
    .trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first words of the message's own text, from the first word with a letter or digit on. */
export function keyOf(message: Message): { pattern: RegExp; text: string } {
  const source: string[] = [];
  const shown: string[] = [];
  let count = 0;
  let pendingHole = false;
  for (const part of message) {
    if (count >= KEY_LETTERS) break;
    if (typeof part !== 'string') {
      pendingHole = source.length > 0;
      continue;
    }
    for (const token of part.split(/(?<=\s)/)) {
      if (count >= KEY_LETTERS) break;
      if (source.length === 0 && !/[\p{L}\p{N}]/u.test(token)) continue;
      if (pendingHole) {
        source.push(HOLE_PATTERN);
        shown.push('…');
        pendingHole = false;
      }
      source.push(escapeRegExp(token));
      shown.push(token);
      count += letters(token);
    }
  }
  const text = shown.join('').trim();
  return { pattern: new RegExp(source.join('').trim(), 'iu'), text };
}
