/**
 * The FastTrack Center model: the centers that deliver FastTrack (per region, with a time zone,
 * business hours, public holidays and the languages they serve) and the people who work there,
 * each a FastTrack Specialist (`specialist`: onboarding, migration and adoption delivery, email and
 * data migration guidance) or a FastTrack Center engineer (`center`: core and service onboarding
 * guidance, adoption planning).
 *
 * The model is data (`bot/data/centers.json`), edited by the operator and validated at start-up by
 * `parseCenterModel`; a bad file stops start-up with a `DataFileError` naming the JSON path.
 *
 * Rules of the file (each checked, see `crossCheckModel`):
 * - ids are unique across centers and people; e-mails are unique (case-insensitively);
 * - a center's `timeZone` is an IANA zone this runtime knows, and lies in the center's `region`
 *   (by its IANA area, `regionOfTimeZone`; `Etc/*` zones lie nowhere and are refused);
 * - `businessHours` maps ISO weekdays ("1" = Monday … "7" = Sunday) to local `HH:mm` ranges;
 *   a missing day is closed; within a day ranges must not be inverted (end after start; "24:00" is
 *   allowed as an end) nor overlap (touching is fine: 09:00–12:00 and 12:00–17:00); at least one
 *   day must be open;
 * - `holidays` are local calendar dates (YYYY-MM-DD) on which the center is closed, listed once;
 * - a center's `languages` are exactly what it publishes as served. **A person may only speak
 *   languages their center serves** (a language outside the list is refused: it is either a typo
 *   or the center's list is stale, and routing would otherwise send customers to a center that does
 *   not advertise the language), and **every language a center lists must be spoken by at least one
 *   of its people** (otherwise the center promises what nobody can deliver).
 *
 * Centers are listed in the operator's order of preference: within a region, routing picks the first
 * center that has a matching person.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { validateDataFile, type DataFileProblem } from './eligibility';
import { SUPPORTED_LOCALES, type SupportedLocale } from './locale';
import { isTimeZone, REGIONS, regionOfTimeZone, type Region } from './timeZones';

/** `specialist` = FastTrack Specialist; `center` = FastTrack Center engineer. */
export const FASTTRACK_ROLES = ['specialist', 'center'] as const;
export type FastTrackRole = (typeof FASTTRACK_ROLES)[number];

/** ISO weekday: 1 = Monday … 7 = Sunday (luxon's `weekday`). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const ISO_WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

/** A local time range in a day, `HH:mm` to `HH:mm` (end after start; the end may be "24:00"). */
export interface TimeRange {
  start: string;
  end: string;
}

export interface FastTrackCenter {
  id: string;
  name: string;
  region: Region;
  /** IANA time zone of the center (its business hours and holidays are local to it). */
  timeZone: string;
  /** Opening hours per ISO weekday, sorted, not overlapping; an empty list is a closed day. */
  businessHours: Readonly<Record<IsoWeekday, readonly TimeRange[]>>;
  /** Local dates (YYYY-MM-DD) the center is closed, sorted. */
  holidays: readonly string[];
  /** Languages the center serves. */
  languages: readonly SupportedLocale[];
}

export interface FastTrackPerson {
  id: string;
  name: string;
  email: string;
  role: FastTrackRole;
  languages: readonly SupportedLocale[];
  centerId: string;
}

export interface CenterModel {
  /** In the file's order (the operator's preference within a region). */
  centers: readonly FastTrackCenter[];
  /** In the file's order. */
  people: readonly FastTrackPerson[];
}

const FILE = 'centers.json';
const ID = /^[a-z0-9][a-z0-9-]*$/;
const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Deliberately simple: one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const comment = z.union([z.string(), z.array(z.string())]).optional();
const id = z.string().min(1).max(64).regex(ID, { error: 'must be an id (lower-case letters, digits and -, starting with a letter or digit)' });
const time = z.string().regex(HH_MM, { error: 'must be a local time HH:mm (00:00 to 23:59, or 24:00 as an end)' });
const range = z.strictObject({ start: time, end: time });
const day = z.array(range);
const language = z.enum(SUPPORTED_LOCALES);
const localDate = z
  .string()
  .regex(DATE, { error: 'must be a date YYYY-MM-DD' })
  .refine((d) => DateTime.fromISO(d, { zone: 'utc' }).isValid, { error: 'is not a calendar date' });

const centerSchema = z.strictObject({
  $comment: comment,
  id,
  name: z.string().trim().min(1).max(100),
  region: z.enum(REGIONS),
  timeZone: z.string().min(1).max(64),
  businessHours: z.strictObject({ '1': day.optional(), '2': day.optional(), '3': day.optional(), '4': day.optional(), '5': day.optional(), '6': day.optional(), '7': day.optional() }),
  holidays: z.array(localDate),
  languages: z.array(language).min(1),
});

const personSchema = z.strictObject({
  id,
  name: z.string().trim().min(1).max(100),
  email: z.string().max(254).regex(EMAIL, { error: 'must be an e-mail address' }),
  role: z.enum(FASTTRACK_ROLES),
  languages: z.array(language).min(1),
  centerId: id,
});

const modelSchema = z.strictObject({
  $comment: comment,
  centers: z.array(centerSchema).min(1),
  people: z.array(personSchema).min(1),
});
type ModelFile = z.infer<typeof modelSchema>;
type CenterFile = z.infer<typeof centerSchema>;

/** `"09:30"` → 570; `"24:00"` → 1440. */
export function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const hoursOf = (center: CenterFile, weekday: IsoWeekday) => center.businessHours[String(weekday) as `${IsoWeekday}`] ?? [];

/** Values listed twice, reported at the later one (`key` normalises before comparing). */
function duplicates(values: readonly string[], at: (i: number) => string, what: string, key: (v: string) => string = (v) => v): DataFileProblem[] {
  const first = new Map<string, number>();
  const problems: DataFileProblem[] = [];
  values.forEach((value, i) => {
    const seen = first.get(key(value));
    if (seen === undefined) first.set(key(value), i);
    else problems.push({ path: at(i), message: `${JSON.stringify(value)} is listed twice (also at ${at(seen)}): each ${what} may appear once` });
  });
  return problems;
}

function checkCenter(center: CenterFile, c: number): DataFileProblem[] {
  const at = `centers[${c}]`;
  const problems: DataFileProblem[] = [];
  if (!isTimeZone(center.timeZone)) {
    problems.push({ path: `${at}.timeZone`, message: `${JSON.stringify(center.timeZone)} is not an IANA time zone (e.g. "Europe/Dublin")` });
  } else {
    const zoneRegion = regionOfTimeZone(center.timeZone);
    if (zoneRegion !== center.region) {
      problems.push({
        path: `${at}.timeZone`,
        message: zoneRegion
          ? `${JSON.stringify(center.timeZone)} lies in ${zoneRegion}, not in the center's region ${center.region}`
          : `${JSON.stringify(center.timeZone)} lies in no region: use the city zone of the center (e.g. "Europe/Dublin")`,
      });
    }
  }
  let open = false;
  for (const weekday of ISO_WEEKDAYS) {
    const ranges = hoursOf(center, weekday);
    ranges.forEach((r, i) => {
      if (r.start === '24:00') problems.push({ path: `${at}.businessHours.${weekday}[${i}].start`, message: 'must be before 24:00' });
      else if (minutesOfDay(r.end) <= minutesOfDay(r.start)) {
        problems.push({ path: `${at}.businessHours.${weekday}[${i}]`, message: `is inverted or empty (${r.start}–${r.end}): the end must be after the start` });
      } else open = true;
    });
    const sorted = ranges.map((r, i) => ({ ...r, i })).sort((a, b) => minutesOfDay(a.start) - minutesOfDay(b.start));
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1]!;
      const cur = sorted[k]!;
      if (minutesOfDay(cur.start) < minutesOfDay(prev.end)) {
        problems.push({ path: `${at}.businessHours.${weekday}[${cur.i}]`, message: `(${cur.start}–${cur.end}) overlaps ${at}.businessHours.${weekday}[${prev.i}] (${prev.start}–${prev.end})` });
      }
    }
  }
  if (!open) problems.push({ path: `${at}.businessHours`, message: 'must open on at least one weekday' });
  problems.push(...duplicates(center.holidays, (i) => `${at}.holidays[${i}]`, 'holiday'));
  problems.push(...duplicates(center.languages, (i) => `${at}.languages[${i}]`, 'language'));
  return problems;
}

function crossCheckModel(file: ModelFile): DataFileProblem[] {
  const problems: DataFileProblem[] = [];
  file.centers.forEach((center, c) => problems.push(...checkCenter(center, c)));
  // Ids are unique across centers and people (a log line naming an id names one thing).
  const ids = [...file.centers.map((c) => c.id), ...file.people.map((p) => p.id)];
  const idPath = (i: number) => (i < file.centers.length ? `centers[${i}].id` : `people[${i - file.centers.length}].id`);
  problems.push(...duplicates(ids, idPath, 'id'));
  problems.push(...duplicates(file.people.map((p) => p.email), (i) => `people[${i}].email`, 'e-mail', (e) => e.toLowerCase()));

  const centers = new Map(file.centers.map((c) => [c.id, c]));
  const spoken = new Map<string, Set<string>>();
  file.people.forEach((person, p) => {
    problems.push(...duplicates(person.languages, (i) => `people[${p}].languages[${i}]`, 'language'));
    const center = centers.get(person.centerId);
    if (!center) {
      problems.push({ path: `people[${p}].centerId`, message: `${JSON.stringify(person.centerId)} is no center's id (centers: ${file.centers.map((c) => c.id).join(', ')})` });
      return;
    }
    const set = spoken.get(center.id) ?? new Set<string>();
    spoken.set(center.id, set);
    person.languages.forEach((l, i) => {
      set.add(l);
      if (!center.languages.includes(l)) {
        problems.push({ path: `people[${p}].languages[${i}]`, message: `${JSON.stringify(l)} is not served by center ${JSON.stringify(center.id)} (${center.languages.join(', ')}): add it to the center's languages or remove it here` });
      }
    });
  });
  file.centers.forEach((center, c) => {
    center.languages.forEach((l, i) => {
      if (!spoken.get(center.id)?.has(l)) {
        problems.push({ path: `centers[${c}].languages[${i}]`, message: `${JSON.stringify(l)} is spoken by none of the center's people: remove it or add a person who speaks it` });
      }
    });
  });
  return problems;
}

/**
 * Validates the FastTrack Center model (the parsed JSON of `centers.json`) and returns it
 * normalised: every weekday present (closed days empty), ranges and holidays sorted.
 * @throws DataFileError naming every problem, e.g.
 *   `centers.json: people[3].centerId "emea-paris" is no center's id (centers: …)`.
 */
export function parseCenterModel(json: unknown): CenterModel {
  const file = validateDataFile(FILE, modelSchema, json, crossCheckModel);
  const byStart = (a: TimeRange, b: TimeRange) => minutesOfDay(a.start) - minutesOfDay(b.start);
  const centers = file.centers.map<FastTrackCenter>((c) => ({
    id: c.id,
    name: c.name,
    region: c.region,
    timeZone: c.timeZone,
    businessHours: Object.fromEntries(ISO_WEEKDAYS.map((d) => [d, hoursOf(c, d).map((r) => ({ start: r.start, end: r.end })).sort(byStart)])) as Record<IsoWeekday, TimeRange[]>,
    holidays: [...c.holidays].sort(),
    languages: [...c.languages],
  }));
  const people = file.people.map<FastTrackPerson>((p) => ({ id: p.id, name: p.name, email: p.email, role: p.role, languages: [...p.languages], centerId: p.centerId }));
  return { centers, people };
}

/** The center a person works at (undefined only for a model not made by `parseCenterModel`). */
export function centerOf(model: CenterModel, person: FastTrackPerson): FastTrackCenter | undefined {
  return model.centers.find((c) => c.id === person.centerId);
}

/** The FastTrack person with this e-mail address (case-insensitive), e.g. a staff account's UPN. */
export function personByEmail(model: CenterModel, email: string | undefined): FastTrackPerson | undefined {
  const wanted = email?.trim().toLowerCase();
  return wanted ? model.people.find((p) => p.email.toLowerCase() === wanted) : undefined;
}
