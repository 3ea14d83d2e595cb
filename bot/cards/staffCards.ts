import { CardFactory, type Attachment } from 'botbuilder';
import type { FastTrackCenter, FastTrackPerson } from '../domain/centers';
import type { OnboardingRequest, RequestState } from '../domain/journey';
import { isSupportedLocale } from '../domain/locale';
import { describeSlot } from '../domain/slots';
import { kickoffOf, MY_MEETING_DAYS, servicesOf } from '../domain/staff';
import { fill, type CardRenderer } from './cardRenderer';

/** A FastTrack person's own chat: the staff welcome, "my requests" and "my meetings" (cards/staff*.card.json). */

export function staffWelcomeCard(renderer: CardRenderer, locale: unknown, person: FastTrackPerson, center: FastTrackCenter): Attachment {
  const s = renderer.strings(locale).staff;
  return CardFactory.adaptiveCard(
    renderer.expand('staffWelcome', locale, {
      title: fill(s.welcomeTitle, { name: person.name }),
      subtitle: fill(s.subtitle, { role: s.roles[person.role], center: center.name }),
    }),
  );
}

/** The requests assigned to the person, a section per state; each with tenant, id, services, language and kickoff (in the center's zone). */
export function staffRequestsCard(renderer: CardRenderer, locale: unknown, groups: { state: RequestState; requests: OnboardingRequest[] }[], center: FastTrackCenter): Attachment {
  const strings = renderer.strings(locale);
  const s = strings.staff;
  const tag = renderer.resolve(locale);
  const serviceNames = strings.services as Record<string, string>;
  const data = groups.map((g) => ({
    heading: fill(s.stateHeading, { state: s.states[g.state], count: g.requests.length }),
    requests: g.requests.map((r) => {
      const services = servicesOf(r).map((id) => serviceNames[id] ?? id);
      const language = r.form?.preferredLanguage;
      const kickoff = kickoffOf(r);
      return {
        title: fill(s.requestTitle, { tenant: r.tenantCheck.organization, requestId: r.id }),
        facts: [
          { title: s.services, value: services.length > 0 ? services.join(', ') : s.notChosen },
          { title: s.language, value: language && isSupportedLocale(language) ? strings.languages[language] : s.notChosen },
          { title: s.kickoff, value: kickoff ? describeSlot(kickoff, center.timeZone, center.timeZone, tag).centerTime : s.notBooked },
        ],
      };
    }),
  }));
  return CardFactory.adaptiveCard(renderer.expand('staffRequests', locale, { groups: data, hasGroups: data.length > 0 }));
}

/** One confirmed meeting of the person, as "my meetings" lists it. */
export interface StaffMeeting {
  start: string;
  end: string;
  kind: 'kickoff' | 'checkpoint';
  tenant: string;
  requestId: string;
}

/** The person's confirmed meetings, each time in the center's zone with the zone named. */
export function staffMeetingsCard(renderer: CardRenderer, locale: unknown, meetings: StaffMeeting[], center: FastTrackCenter, now: Date): Attachment {
  const s = renderer.strings(locale).staff;
  const tag = renderer.resolve(locale);
  const zone = describeSlot({ start: now.toISOString(), end: now.toISOString() }, center.timeZone, center.timeZone, tag).centerZoneName;
  return CardFactory.adaptiveCard(
    renderer.expand('staffMeetings', locale, {
      range: fill(s.meetingsRange, { days: MY_MEETING_DAYS, center: center.name, zone }),
      hasMeetings: meetings.length > 0,
      meetings: meetings.map((m) => ({
        time: describeSlot(m, center.timeZone, center.timeZone, tag).centerTime,
        what: fill(s.meetingWhat, { kind: s.kinds[m.kind], tenant: m.tenant, requestId: m.requestId }),
      })),
    }),
  );
}
