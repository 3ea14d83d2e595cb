import { SUPPORTED_LOCALES, type SupportedLocale } from './locale';
import { dateIn, isTimeZone, REGIONS, type Region } from './timeZones';

/** Why an answer is not accepted; each is a key of the locale's `form.errors`. */
export type ErrorCode = 'required' | 'tooLong' | 'email' | 'phone' | 'choice' | 'date' | 'pastDate' | 'number' | 'range' | 'tenantToTenant';
/** Card inputs as submitted: every value a trimmed string. */
export type Values = Record<string, string>;
export type FieldErrors = Record<string, ErrorCode>;
export type Validation<T> = { ok: true; result: T; values: Values } | { ok: false; errors: FieldErrors; values: Values };

const MAX_INPUT = 4000;

/** The named fields of an untrusted card submission as trimmed strings; anything else becomes ''. */
export function readValues(input: unknown, fields: readonly string[]): Values {
  const record = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  const values: Values = {};
  for (const field of fields) {
    const v = record[field];
    // Toggles and number inputs may arrive as booleans or numbers from some clients.
    values[field] = typeof v === 'string' ? v.trim().slice(0, MAX_INPUT) : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  }
  return values;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;
// International formats: optional +, digits with spaces, dots, dashes or brackets; 7 to 15 digits.
const PHONE = /^\+?[0-9 ().-]{7,24}$/;

/** Collects field errors; the first problem of a field wins. */
export class Checker {
  readonly errors: FieldErrors = {};
  constructor(readonly values: Values) {}

  private fail(field: string, code: ErrorCode): false {
    this.errors[field] ??= code;
    return false;
  }

  required(field: string, maxLength = 100): boolean {
    const v = this.values[field] ?? '';
    if (!v) return this.fail(field, 'required');
    if (v.length > maxLength) return this.fail(field, 'tooLong');
    return true;
  }

  email(field: string, optional = false): boolean {
    const v = this.values[field] ?? '';
    if (!v) return optional || this.fail(field, 'required');
    return (v.length <= 254 && EMAIL.test(v)) || this.fail(field, 'email');
  }

  phone(field: string, optional = false): boolean {
    const v = this.values[field] ?? '';
    if (!v) return optional || this.fail(field, 'required');
    const digits = v.replace(/\D/g, '').length;
    return (PHONE.test(v) && digits >= 7 && digits <= 15) || this.fail(field, 'phone');
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    const v = this.values[field] ?? '';
    if (!v) return void this.fail(field, 'required');
    return (allowed as readonly string[]).includes(v) ? (v as T) : void this.fail(field, 'choice');
  }

  /** A multi-select ChoiceSet submits "a,b,c". */
  manyOf<T extends string>(field: string, allowed: readonly T[], optional = false): T[] | undefined {
    const chosen = [...new Set((this.values[field] ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
    if (chosen.length === 0) return optional ? [] : void this.fail(field, 'required');
    return chosen.every((c) => (allowed as readonly string[]).includes(c)) ? (chosen as T[]) : void this.fail(field, 'choice');
  }

  /** An Input.Date value (YYYY-MM-DD) on or after `notBefore` (YYYY-MM-DD). */
  date(field: string, notBefore: string): string | undefined {
    const v = this.values[field] ?? '';
    if (!v) return void this.fail(field, 'required');
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : undefined;
    if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== v) return void this.fail(field, 'date');
    return v >= notBefore ? v : void this.fail(field, 'pastDate');
  }

  /** A whole number in [min, max]; '' is allowed when optional. */
  integer(field: string, min: number, max: number, optional = false): number | undefined {
    const v = this.values[field] ?? '';
    if (!v) return optional ? undefined : void this.fail(field, 'required');
    if (!/^-?\d+$/.test(v)) return void this.fail(field, 'number');
    const n = Number(v);
    return n >= min && n <= max ? n : void this.fail(field, 'range');
  }

  /** A decimal number in [min, max]; '' is allowed when optional. */
  number(field: string, min: number, max: number, optional = false): number | undefined {
    const v = this.values[field] ?? '';
    if (!v) return optional ? undefined : void this.fail(field, 'required');
    if (!/^-?\d+(\.\d+)?$/.test(v)) return void this.fail(field, 'number');
    const n = Number(v);
    return n >= min && n <= max ? n : void this.fail(field, 'range');
  }

  timeZone(field: string): string | undefined {
    const v = this.values[field] ?? '';
    if (!v) return void this.fail(field, 'required');
    return isTimeZone(v) ? v : void this.fail(field, 'choice');
  }

  language(field: string): SupportedLocale | undefined {
    return this.oneOf(field, SUPPORTED_LOCALES);
  }

  region(field: string): Region | undefined {
    return this.oneOf(field, REGIONS);
  }

  /** Marks a field as refused for a domain reason (e.g. tenant-to-tenant migration). */
  refuse(field: string, code: ErrorCode): void {
    this.fail(field, code);
  }

  done<T>(build: () => T): Validation<T> {
    return Object.keys(this.errors).length > 0 ? { ok: false, errors: this.errors, values: this.values } : { ok: true, result: build(), values: this.values };
  }
}

/** Today's date (YYYY-MM-DD) in a time zone, for "not in the past" checks in the user's own calendar. */
export function todayIn(zone: string | undefined, now: Date): string {
  return dateIn(zone && isTimeZone(zone) ? zone : 'UTC', now);
}
