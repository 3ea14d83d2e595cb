/**
 * A FastTrack person's own view (their personal chat in the staff tenant): the requests assigned
 * to them, grouped by state, and their confirmed meetings in the next business days of their center.
 * Pure: the handler reads the assignment index and the ledger, this decides what is shown.
 */
import { DateTime } from 'luxon';
import type { FastTrackCenter } from './centers';
import { REQUEST_STATES, type OnboardingRequest, type RequestState } from './journey';
import { activeMeeting } from './meetings';
import { centerBusinessDays, type BusinessDay } from './slots';

/** How far "my meetings" looks: this many business days of the person's center, today included. */
export const MY_MEETING_DAYS = 10;

/** The requests of each state, in REQUEST_STATES order, states without a request left out; newest first within a state. */
export function groupByState(requests: readonly OnboardingRequest[]): { state: RequestState; requests: OnboardingRequest[] }[] {
  return REQUEST_STATES.map((state) => ({
    state,
    requests: requests.filter((r) => r.state === state).sort((a, b) => (b.assignee?.assignedAt ?? '').localeCompare(a.assignee?.assignedAt ?? '')),
  })).filter((g) => g.requests.length > 0);
}

/** The request's services: what the admin chose, else the form's products. */
export function servicesOf(request: OnboardingRequest): string[] {
  return request.services?.services ?? request.form?.products ?? [];
}

/** The kickoff booked for the request, if any. */
export function kickoffOf(request: OnboardingRequest): { start: string; end: string } | undefined {
  const kickoff = activeMeeting(request, 'kickoff');
  return kickoff ? { start: kickoff.start, end: kickoff.end } : undefined;
}

/**
 * The center's next MY_MEETING_DAYS business days counted from the start of its local today (so
 * today is one of them when the center works today), and the instant the last of them ends.
 */
export function myMeetingDays(center: FastTrackCenter, now: Date): { days: BusinessDay[]; until: string } {
  const midnight = DateTime.fromJSDate(now, { zone: center.timeZone }).startOf('day');
  const days = centerBusinessDays(center, midnight.toJSDate(), MY_MEETING_DAYS);
  const last = days.at(-1);
  const until = last ? DateTime.fromISO(last.date, { zone: center.timeZone }).plus({ days: 1 }).startOf('day') : midnight;
  return { days, until: until.toUTC().toISO()! };
}

/** What "my meetings" shows of a ledger reservation. */
export interface LedgerEntry {
  tenantId: string;
  requestId: string;
  kind: 'kickoff' | 'checkpoint';
  start: string;
  end: string;
  status: 'held' | 'booked';
}

/** Confirmed (booked) meetings that have not ended by `now` and start before `until`, in time order; holds never show. */
export function confirmedMeetings<T extends LedgerEntry>(entries: readonly T[], now: Date, until: string): T[] {
  const from = now.toISOString();
  return entries
    .filter((e) => e.status === 'booked' && Date.parse(e.end) > Date.parse(from) && Date.parse(e.start) < Date.parse(until))
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}
