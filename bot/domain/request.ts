import { z } from 'zod';
import { SUPPORTED_LOCALES, type SupportedLocale } from './locale';

/** Services an admin can ask help for (ids; names come from the locale tables). */
export const SERVICES = ['exchange', 'sharepoint', 'onedrive', 'teams', 'apps', 'intune'] as const;
export type ServiceId = (typeof SERVICES)[number];

/** FastTrack request states, as FastTrack uses them. */
export const REQUEST_STATES = ['Submitted', 'Approved', 'OnHold', 'OnHoldPendingRequesterResponse', 'Cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** The answers of the request form. */
export interface RequestForm {
  contactName: string;
  contactEmail: string;
  services: ServiceId[];
  preferredLanguage: SupportedLocale;
}

/** One onboarding request, stored under `tenants/{tenantId}/requests/{id}`. */
export interface OnboardingRequest {
  id: string;
  tenantId: string;
  requester: { aadObjectId: string; name: string };
  form: RequestForm;
  tenantSummary: { displayName: string; verifiedDomains: string[]; paidSeats: number };
  state: RequestState;
  createdAt: string;
  history: { at: string; state: RequestState }[];
}

/** A field of the form with a validation problem; `code` is a key of the locale's `form.errors`. */
export interface FieldError {
  field: keyof RequestForm;
  code: 'required' | 'tooLong' | 'email' | 'service' | 'language';
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;
const text = z.unknown().transform((v) => (typeof v === 'string' ? v.trim() : ''));

/** Validates an untrusted form submission; returns the form or every field error. */
export function validateRequestForm(input: unknown): { ok: true; form: RequestForm } | { ok: false; errors: FieldError[]; values: Record<string, string> } {
  const record = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const values = {
    contactName: text.parse(record.contactName),
    contactEmail: text.parse(record.contactEmail),
    services: text.parse(record.services),
    preferredLanguage: text.parse(record.preferredLanguage),
  };
  const errors: FieldError[] = [];
  if (!values.contactName) errors.push({ field: 'contactName', code: 'required' });
  else if (values.contactName.length > 100) errors.push({ field: 'contactName', code: 'tooLong' });
  if (!values.contactEmail) errors.push({ field: 'contactEmail', code: 'required' });
  else if (values.contactEmail.length > 254 || !EMAIL.test(values.contactEmail)) errors.push({ field: 'contactEmail', code: 'email' });
  // A multi-select ChoiceSet submits "a,b,c".
  const services = values.services.split(',').map((s) => s.trim()).filter(Boolean);
  if (services.length === 0) errors.push({ field: 'services', code: 'required' });
  else if (!services.every((s) => (SERVICES as readonly string[]).includes(s))) errors.push({ field: 'services', code: 'service' });
  if (!values.preferredLanguage) errors.push({ field: 'preferredLanguage', code: 'required' });
  else if (!(SUPPORTED_LOCALES as readonly string[]).includes(values.preferredLanguage)) errors.push({ field: 'preferredLanguage', code: 'language' });

  if (errors.length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    form: {
      contactName: values.contactName,
      contactEmail: values.contactEmail,
      services: [...new Set(services)] as ServiceId[],
      preferredLanguage: values.preferredLanguage as SupportedLocale,
    },
  };
}

// Crockford base32 without I, L, O, U: unambiguous when read aloud or typed.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short request id such as `FT-7K3M9Q2X`, from 8 random bytes. */
export function newRequestId(randomBytes: Uint8Array): string {
  let id = '';
  for (let i = 0; i < 8; i++) id += ALPHABET[(randomBytes[i] ?? 0) % 32];
  return `FT-${id}`;
}

/** True for strings shaped like a request id (untrusted input). */
export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && /^FT-[0-9A-HJKMNP-TV-Z]{8}$/.test(value);
}

/** Storage keys: everything of a tenant sits under its own prefix, so one tenant never reaches another's. */
export const keys = {
  request: (tenantId: string, requestId: string) => `tenants/${tenantId}/requests/${requestId}`,
  conversation: (tenantId: string, aadObjectId: string) => `tenants/${tenantId}/conversations/${aadObjectId}`,
};
