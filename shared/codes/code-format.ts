/**
 * The human code format shared by confirmation codes (CODE-*) and the manual
 * lock/unlock exchange (LOCK-*): three groups of five digits, each group made of
 * four data digits plus one Damm check digit over those four digits, so a code
 * carries 12 data digits (≈ 39.9 bits).
 *
 * The MAC and random digits live in `code-crypto.ts`, so this module imports
 * nothing from Node and also runs in the desktop window's page (web/).
 *
 * Two kinds of input are treated differently throughout `shared/codes`:
 * - codes **typed by a person** go through {@link parseCode}, which never throws
 *   and returns a FORMAT/TYPO failure with a message to show;
 * - codes **held by the program** (a challenge the server stored, the code 1 a
 *   device generated) are expected to be valid; an invalid one is a programming
 *   error and raises {@link CodeInputError}.
 *
 * See docs/code-algorithms.md for the precise rules and docs/code-vectors.json
 * for test vectors.
 */
import { dammCheckDigit, isDammValid } from './damm';

/** Number of groups in a code. */
export const GROUP_COUNT = 3;
/** Data digits per group (the fifth digit of a group is its Damm check digit). */
export const GROUP_DATA_DIGITS = 4;
/** Digits per group as typed (data + check digit). */
export const GROUP_LENGTH = GROUP_DATA_DIGITS + 1;
/** Data digits carried by a whole code. */
export const DATA_DIGITS = GROUP_COUNT * GROUP_DATA_DIGITS;
/** Digits of a whole code as typed. */
export const CODE_DIGITS = GROUP_COUNT * GROUP_LENGTH;

/** A user-facing message in the two languages mOphas speaks. */
export interface LocalizedMessages {
  readonly en: string;
  readonly it: string;
}

/** A successfully parsed code. */
export interface ParsedCodeOk {
  readonly ok: true;
  /** The 12 data digits (check digits removed). */
  readonly data: string;
  /** The three 5-digit groups, check digits included. */
  readonly groups: [string, string, string];
  /** Canonical rendering `NNNNN-NNNNN-NNNNN`. */
  readonly formatted: string;
}

/** What exactly was wrong with the shape of the input. */
export type FormatProblem = 'INVALID_CHARACTER' | 'DIGIT_COUNT' | 'GROUP_COUNT' | 'NOT_TEXT';

/** The input is not three groups of five digits (bad character or length). */
export interface FormatFailure {
  readonly ok: false;
  readonly reason: 'FORMAT';
  readonly problem: FormatProblem;
  /** English message (same as `messages.en`). */
  readonly message: string;
  readonly messages: LocalizedMessages;
}

/** The input has the right shape but at least one group fails its check digit. */
export interface TypoFailure {
  readonly ok: false;
  readonly reason: 'TYPO';
  /** 1-based numbers of the groups whose check digit does not match, ascending. */
  readonly typoGroups: number[];
  /** English message (same as `messages.en`). */
  readonly message: string;
  readonly messages: LocalizedMessages;
}

/** A well-formed code that is not the expected one (wrong MAC). */
export interface MismatchFailure {
  readonly ok: false;
  readonly reason: 'MISMATCH';
  /** English message (same as `messages.en`). */
  readonly message: string;
  readonly messages: LocalizedMessages;
}

/** Why a typed code could not be parsed. */
export type ParseFailure = FormatFailure | TypoFailure;

/** Result of {@link parseCode}. */
export type ParsedCode = ParsedCodeOk | ParseFailure;

/** Input accepted for a code: one string, or the three fields of the desktop form. */
export type CodeInput = string | readonly string[];

/**
 * Raised when a code held by the program (not typed by a person) is invalid,
 * or when a function gets an argument outside its contract.
 */
export class CodeInputError extends Error {
  /** The parse failure, when the error comes from parsing a code. */
  readonly failure: ParseFailure | undefined;

  /**
   * @param message - what was wrong, for logs (never contains secrets).
   * @param failure - the parse failure behind it, if any.
   */
  constructor(message: string, failure?: ParseFailure) {
    super(message);
    this.name = 'CodeInputError';
    this.failure = failure;
  }
}

const DIGITS_12 = /^[0-9]{12}$/;
const SEPARATORS = new Set([' ', '-']);
const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u;

/**
 * Renders 12 data digits as a code: `NNNNN-NNNNN-NNNNN`, each group being four
 * data digits followed by their Damm check digit.
 *
 * @param data12 - exactly 12 ASCII digits.
 * @returns the 17-character formatted code.
 * @throws CodeInputError if `data12` is not exactly 12 ASCII digits.
 */
export function formatCode(data12: string): string {
  if (typeof data12 !== 'string' || !DIGITS_12.test(data12)) {
    throw new CodeInputError('formatCode: expected exactly 12 digits');
  }
  return splitData(data12).join('-');
}

/** Splits 12 data digits into the three 5-digit groups (check digits appended). */
function splitData(data12: string): [string, string, string] {
  const group = (i: number): string => {
    const d = data12.slice(i * GROUP_DATA_DIGITS, (i + 1) * GROUP_DATA_DIGITS);
    return d + dammCheckDigit(d);
  };
  return [group(0), group(1), group(2)];
}

/**
 * Parses a code typed by a person. Never throws.
 *
 * Accepted shapes:
 * - one string of 15 ASCII digits with any number of spaces (U+0020) and dashes
 *   (U+002D) anywhere, e.g. `"12345 67890 12345"`, `"12345-67890-12345"`,
 *   `"123456789012345"`;
 * - an array of exactly 3 strings (the desktop's three fields), each holding 5
 *   digits, spaces and dashes allowed inside each field.
 *
 * Any other character is a FORMAT failure naming the first offending character
 * and its 1-based position (counted in Unicode code points, within the field for
 * array input). A wrong digit count is a FORMAT failure. Every group whose Damm
 * check fails is listed in a TYPO failure.
 *
 * @param input - the typed code.
 * @returns the 12 data digits, groups and canonical form, or a failure with
 *   English and Italian messages.
 */
export function parseCode(input: CodeInput): ParsedCode {
  if (typeof input === 'string') return parseSingleString(input);
  if (Array.isArray(input)) return parseFields(input as readonly unknown[]);
  return formatFailure('NOT_TEXT', 'The code must be text: 3 groups of 5 digits', 'Il codice deve essere un testo: 3 gruppi da 5 cifre');
}

function parseSingleString(input: string): ParsedCode {
  let digits = '';
  let count = 0;
  let position = 0;
  for (const ch of input) {
    position++;
    if (ch >= '0' && ch <= '9') {
      count++;
      // Only the first 15 are needed; the count alone reports longer inputs.
      if (count <= CODE_DIGITS) digits += ch;
    } else if (!SEPARATORS.has(ch)) {
      return invalidCharacter(ch, position, undefined);
    }
  }
  if (count !== CODE_DIGITS) {
    return formatFailure(
      'DIGIT_COUNT',
      `Expected 15 digits (3 groups of 5), got ${count}`,
      `Attese 15 cifre (3 gruppi da 5), cifre trovate: ${count}`,
    );
  }
  return checkGroups([digits.slice(0, 5), digits.slice(5, 10), digits.slice(10, 15)]);
}

function parseFields(fields: readonly unknown[]): ParsedCode {
  if (fields.length !== GROUP_COUNT) {
    return formatFailure(
      'GROUP_COUNT',
      `Expected 3 groups of 5 digits, got ${fields.length} groups`,
      `Attesi 3 gruppi da 5 cifre, gruppi ricevuti: ${fields.length}`,
    );
  }
  const groups: string[] = [];
  for (let g = 0; g < GROUP_COUNT; g++) {
    const field = fields[g];
    const groupNo = g + 1;
    if (typeof field !== 'string') {
      return formatFailure('NOT_TEXT', `Group ${groupNo} must be text of 5 digits`, `Il gruppo ${groupNo} deve essere un testo di 5 cifre`);
    }
    const scanned = scanField(field, groupNo);
    if ('reason' in scanned) return scanned;
    if (scanned.count !== GROUP_LENGTH) return groupDigitCount(groupNo, scanned.count);
    groups.push(scanned.digits);
  }
  return checkGroups(groups as [string, string, string]);
}

/** The digits of one field (separators skipped, at most five kept) and how many there were; a bad character fails. */
function scanField(field: string, groupNo: number): { digits: string; count: number } | FormatFailure {
  let digits = '';
  let count = 0;
  let position = 0;
  for (const ch of field) {
    position++;
    if (ch >= '0' && ch <= '9') {
      count++;
      if (count <= GROUP_LENGTH) digits += ch;
    } else if (!SEPARATORS.has(ch)) {
      return invalidCharacter(ch, position, groupNo);
    }
  }
  return { digits, count };
}

function groupDigitCount(groupNo: number, count: number): FormatFailure {
  return formatFailure(
    'DIGIT_COUNT',
    `Expected 3 groups of 5 digits: group ${groupNo} has ${count} digits`,
    `Attesi 3 gruppi da 5 cifre: il gruppo ${groupNo} ha ${count} cifre`,
  );
}

/** What one of the desktop's three fields holds so far (see {@link checkGroup}). */
export type GroupCheck =
  /** Nothing typed (separators only, or nothing). */
  | { readonly status: 'empty' }
  /** Fewer than five digits so far: nothing to say yet. */
  | { readonly status: 'partial'; readonly digits: number }
  /** Five digits whose check digit matches. */
  | { readonly status: 'ok'; readonly group: string }
  /** Five digits whose check digit does not match: a typo in this group. */
  | { readonly status: 'typo'; readonly messages: LocalizedMessages }
  /** A character that is not a digit, space or dash, or more than five digits. */
  | { readonly status: 'format'; readonly messages: LocalizedMessages };

/**
 * Checks one field of the three-field form while a person types it (CODE-3:
 * a typo is shown per group before anything is sent, so no attempt is spent).
 * Same rules and messages as {@link parseCode} for that field. Never throws.
 *
 * @param groupNo - 1, 2 or 3 (used in the messages).
 * @param text - what the field holds now.
 */
export function checkGroup(groupNo: number, text: string): GroupCheck {
  const scanned = scanField(text, groupNo);
  if ('reason' in scanned) return { status: 'format', messages: scanned.messages };
  if (scanned.count === 0) return { status: 'empty' };
  if (scanned.count < GROUP_LENGTH) return { status: 'partial', digits: scanned.count };
  if (scanned.count > GROUP_LENGTH) return { status: 'format', messages: groupDigitCount(groupNo, scanned.count).messages };
  if (!isDammValid(scanned.digits)) return { status: 'typo', messages: typoMessages([groupNo]) };
  return { status: 'ok', group: scanned.digits };
}

function checkGroups(groups: [string, string, string]): ParsedCode {
  const typoGroups: number[] = [];
  groups.forEach((g, i) => {
    if (!isDammValid(g)) typoGroups.push(i + 1);
  });
  if (typoGroups.length > 0) {
    const messages = typoMessages(typoGroups);
    return { ok: false, reason: 'TYPO', typoGroups, message: messages.en, messages };
  }
  const data = groups.map((g) => g.slice(0, GROUP_DATA_DIGITS)).join('');
  return { ok: true, data, groups, formatted: groups.join('-') };
}

function typoMessages(typoGroups: readonly number[]): LocalizedMessages {
  const en =
    typoGroups.length === 1
      ? `Group ${typoGroups[0]} has a typo: check the digits and try again`
      : `Groups ${listOf(typoGroups, 'and')} have a typo: check the digits and try again`;
  const it =
    typoGroups.length === 1
      ? `Il gruppo ${typoGroups[0]} contiene un errore di battitura: controllare le cifre e riprovare`
      : `I gruppi ${listOf(typoGroups, 'e')} contengono errori di battitura: controllare le cifre e riprovare`;
  return { en, it };
}

/** "1 and 3", "1, 2 and 3". */
function listOf(numbers: readonly number[], and: string): string {
  const head = numbers.slice(0, -1).join(', ');
  return `${head} ${and} ${numbers[numbers.length - 1]}`;
}

/** `"x"` for visible characters, `U+0009` for spaces, controls and other invisibles. */
function describeCharacter(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp >= 0x21 && cp <= 0x7e) return `"${ch}"`;
  return VISIBLE.test(ch) ? `"${ch}" (${hex})` : hex;
}

function invalidCharacter(ch: string, position: number, group: number | undefined): FormatFailure {
  const shown = describeCharacter(ch);
  const en =
    group === undefined
      ? `Invalid character ${shown} at position ${position}: only digits, spaces and dashes are allowed`
      : `Invalid character ${shown} in group ${group} at position ${position}: only digits, spaces and dashes are allowed`;
  const it =
    group === undefined
      ? `Carattere non valido ${shown} in posizione ${position}: sono ammessi solo cifre, spazi e trattini`
      : `Carattere non valido ${shown} nel gruppo ${group} in posizione ${position}: sono ammessi solo cifre, spazi e trattini`;
  return formatFailure('INVALID_CHARACTER', en, it);
}

function formatFailure(problem: FormatProblem, en: string, it: string): FormatFailure {
  return { ok: false, reason: 'FORMAT', problem, message: en, messages: { en, it } };
}

/**
 * Builds a MISMATCH failure with the given messages.
 *
 * @param en - English message.
 * @param it - Italian message.
 * @returns the failure object.
 */
export function mismatchFailure(en: string, it: string): MismatchFailure {
  return { ok: false, reason: 'MISMATCH', message: en, messages: { en, it } };
}

/**
 * Extracts the 12 data digits from a code held by the program: either the 12
 * data digits themselves or any input {@link parseCode} accepts.
 *
 * @param input - 12 data digits, a formatted code, or three fields.
 * @param what - name of the value, used in the error message (e.g. "challenge").
 * @returns the 12 data digits.
 * @throws CodeInputError if the input is neither 12 digits nor a valid code.
 */
export function requireCodeData(input: CodeInput, what: string): string {
  if (typeof input === 'string' && DIGITS_12.test(input)) return input;
  const parsed = parseCode(input);
  if (!parsed.ok) {
    throw new CodeInputError(`${what}: ${parsed.message}`, parsed);
  }
  return parsed.data;
}

/**
 * Validates an identifier that goes into a MAC message between `|` separators
 * (customer id, device serial). Rejecting `|` keeps every message unambiguous.
 *
 * @param what - name of the value for the error message.
 * @param value - the identifier.
 * @returns the identifier unchanged.
 * @throws CodeInputError if it is empty, contains `|`, a control character or a
 *   lone UTF-16 surrogate (which has no UTF-8 encoding).
 */
export function requireIdentifier(what: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CodeInputError(`${what} must be a non-empty string`);
  }
  if (/[|\p{Cc}]/u.test(value) || /\p{Cs}/u.test(value)) {
    throw new CodeInputError(`${what} must not contain "|", control characters or lone surrogates`);
  }
  return value;
}
