import fs from 'node:fs';
import path from 'node:path';
import { Template } from 'adaptivecards-templating';
import { CardFactory, type Attachment } from 'botbuilder';
import { compileTemplate, type CompiledTemplate } from './compiledTemplate';
import { DEFAULT_LOCALE, resolveLocale, type SupportedLocale } from '../domain/locale';
import type englishStrings from '../../cards/locales/en-US.json';

/** The string table shape: en-US is the reference every other locale follows. */
export type Strings = typeof englishStrings;
export type CardName =
  | 'welcome'
  | 'help'
  | 'tenantCheck'
  | 'notAdmin'
  | 'existingRequest'
  | 'identity'
  | 'services'
  | 'migration'
  | 'requestForm'
  | 'confirmation'
  | 'adoption'
  | 'status'
  | 'question'
  | 'confirm'
  | 'slots'
  | 'meeting'
  | 'meetingCancel'
  | 'reminder'
  | 'calendarChange';
type JsonObject = { [key: string]: unknown };

/** Where the card templates and locale tables live, relative to this file. */
export const CARDS_DIR = path.resolve(__dirname, '../../cards');

/**
 * Renders Adaptive Card templates and texts in the user's language. Each template is prepared once:
 * compiled (bot/cards/compiledTemplate.ts, the library's semantics, faster) when it keeps to the subset
 * of the template language that compiles, else an adaptivecards-templating Template.
 */
export class CardRenderer {
  private readonly templates = new Map<string, CompiledTemplate>();
  private readonly tables = new Map<SupportedLocale, Strings>();

  constructor(templates: Record<string, JsonObject>, tables: Partial<Record<SupportedLocale, JsonObject>>) {
    for (const [name, json] of Object.entries(templates)) this.templates.set(name, prepareTemplate(json));
    const english = tables[DEFAULT_LOCALE];
    if (!english) throw new Error(`The ${DEFAULT_LOCALE} string table is missing`);
    for (const [locale, table] of Object.entries(tables) as [SupportedLocale, JsonObject][]) {
      // A key missing from a translation shows the English text rather than a raw `${...}`. The tables
      // are the renderer's own frozen copies: nothing changes them, so lookups in them can be indexed.
      this.tables.set(locale, deepFreeze(structuredClone(withFallback(table, english))) as Strings);
    }
  }

  /** Loads every `*.card.json` and `locales/<tag>.json` from a folder (default: the project's `cards/`). */
  static load(dir: string = CARDS_DIR): CardRenderer {
    const templates: Record<string, JsonObject> = {};
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.card.json'))) {
      templates[file.replace(/\.card\.json$/, '')] = readJson(path.join(dir, file));
    }
    const tables: Partial<Record<SupportedLocale, JsonObject>> = {};
    for (const file of fs.readdirSync(path.join(dir, 'locales')).filter((f) => f.endsWith('.json'))) {
      tables[file.replace(/\.json$/, '') as SupportedLocale] = readJson(path.join(dir, 'locales', file));
    }
    return new CardRenderer(templates, tables);
  }

  /** Locales that have a string table. */
  get locales(): SupportedLocale[] {
    return [...this.tables.keys()];
  }

  /** Card template names. */
  get cardNames(): string[] {
    return [...this.templates.keys()];
  }

  /**
   * The closest locale with a table, for a tag such as `activity.locale` (untrusted: anything
   * falls back to en-US). Intl formatting takes only this result, never the wire tag.
   */
  resolve(tag: unknown): SupportedLocale {
    return resolveLocale(tag, this.locales);
  }

  /** The string table for a locale (resolved with fallback). */
  strings(locale: unknown): Strings {
    return this.tables.get(this.resolve(locale))!;
  }

  /** One text, with `{name}` placeholders filled: `renderer.text('zh-CN', (s) => s.messages.error)`. */
  text(locale: unknown, pick: (s: Strings) => string, params: Record<string, string | number> = {}): string {
    return fill(pick(this.strings(locale)), params);
  }

  /** Expands a card template with the locale's strings bound as `strings` next to `data`. */
  expand(name: CardName | string, locale: unknown, data: JsonObject = {}): JsonObject {
    const template = this.templates.get(name);
    if (!template) throw new Error(`No card template named ${name}`);
    return template({ ...data, strings: this.strings(locale) }) as JsonObject;
  }

  /** The expanded card as a message attachment. */
  card(name: CardName, locale: unknown, data: JsonObject = {}): Attachment {
    return CardFactory.adaptiveCard(this.expand(name, locale, data));
  }
}

/** Replaces `{key}` with params[key]; unknown placeholders are left as they are. */
export function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/** The compiled expansion, or the library's when the template uses more than the compiled subset. */
function prepareTemplate(json: JsonObject): CompiledTemplate {
  const compiled = compileTemplate(json);
  if (compiled) return compiled;
  const template = new Template(json);
  return ($root) => template.expand({ $root }) as unknown;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function withFallback(table: JsonObject, fallback: JsonObject): JsonObject {
  const result: JsonObject = { ...table };
  for (const [key, value] of Object.entries(fallback)) {
    const own = table[key];
    if (own === undefined) result[key] = value;
    else if (isObject(value) && isObject(own)) result[key] = withFallback(own, value);
  }
  return result;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJson(file: string): JsonObject {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as JsonObject;
}
