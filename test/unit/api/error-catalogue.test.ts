import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES } from '../../../shared/api/error-catalogue';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Every TypeScript source the deployed functions and the local stack are built from. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The text of a call's arguments, from the `(` after `start` to its matching `)`. */
function callArguments(text: string, start: number): string {
  let depth = 0;
  for (let i = text.indexOf('(', start); i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(text.indexOf('(', start) + 1, i);
  }
  return '';
}

/** Error codes written at the places that produce an error answer (AppError and its helpers, the renderer). */
const PRODUCERS = /\b(?:new AppError|badRequest|conflict|sessionConflict|tooManyRequests|errorBody)\s*\(/g;

function producedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of ['functions', 'shared', 'local'].flatMap(sources)) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(PRODUCERS)) {
      for (const [, code] of callArguments(text, match.index).matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{5,})'/g)) {
        found.set(code!, file);
      }
    }
    // A default code (sessionConflict's) is produced too.
    for (const [, code] of text.matchAll(/code: ErrorCode = '([A-Z_]+)'/g)) found.set(code!, file);
  }
  return found;
}

describe('error catalogue', () => {
  it('gives every code an English and an Italian text', () => {
    for (const code of ERROR_CODES) {
      const texts = ERROR_CATALOGUE[code] as { en?: unknown; it?: unknown };
      expect(typeof texts.en === 'string' && texts.en.trim().length > 0, `${code}: English text`).toBe(true);
      expect(typeof texts.it === 'string' && texts.it.trim().length > 0, `${code}: Italian text`).toBe(true);
      expect(texts.it, `${code}: the Italian text is a translation, not a copy`).not.toBe(texts.en);
    }
  });

  it('lists every error code the code can produce, each with both texts', () => {
    const produced = producedCodes();
    // The scan really reads the error sites (about 70 codes today).
    expect(produced.size).toBeGreaterThan(50);
    for (const [code, file] of produced) {
      expect(ERROR_CODES, `${code} (thrown in ${file}) is not in shared/api/error-catalogue.ts`).toContain(code);
    }
  });

  it('uses stable SCREAMING_SNAKE_CASE codes', () => {
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });
});
