/**
 * The FastTrack staff tenant of the local world: where FastTrack people sign in (the bot's
 * `FASTTRACK_STAFF_TENANT_ID`, pinned locally to `TENANTS.fastTrack`). It has an account for every
 * person of `bot/data/centers.json`, with the same name and e-mail (the UPN), an id derived from
 * the person's id (`staffUserId`), and mailbox settings in the person's center: its time zone
 * (Windows name, as Graph reports it) and its Monday hours as working hours on its open weekdays.
 * It has no licences and no admin roles: the tenant check never looks at it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { findWindows } from 'windows-iana';
import { ISO_WEEKDAYS, parseCenterModel, type CenterModel, type FastTrackCenter } from '../../bot/domain/centers';
import { TENANTS } from './ids';
import { deterministicGuid, type SeedTenant, type SeedUser } from './seed';

/** The staff tenant's domain: every person's e-mail is at it. */
export const STAFF_DOMAIN = 'fasttrack.example.com';
const CENTERS_FILE = path.resolve(__dirname, '../../bot/data/centers.json');
const DAY_NAMES: MicrosoftGraph.DayOfWeek[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** The Entra object id of a FastTrack person's staff account (stable: derived from the person's id). */
export function staffUserId(personId: string): string {
  return deterministicGuid('user', TENANTS.fastTrack, personId);
}

/** The center model the staff accounts mirror (the bot's own data file). */
export function staffCenters(): CenterModel {
  return parseCenterModel(JSON.parse(fs.readFileSync(CENTERS_FILE, 'utf8')));
}

function mailboxOf(center: FastTrackCenter, locale: string): NonNullable<SeedUser['mailboxSettings']> {
  const timeZone = findWindows(center.timeZone)[0] ?? 'UTC';
  const open = ISO_WEEKDAYS.filter((d) => center.businessHours[d].length > 0);
  const day = center.businessHours[open[0] ?? 1];
  const languageName = new Intl.DisplayNames(['en'], { type: 'language' }).of(locale) ?? locale;
  return {
    timeZone,
    language: { locale, displayName: languageName },
    workingHours: {
      daysOfWeek: open.map((d) => DAY_NAMES[d - 1]!),
      startTime: `${day[0]?.start ?? '09:00'}:00.0000000`,
      endTime: `${day.at(-1)?.end ?? '17:00'}:00.0000000`,
      timeZone: { name: timeZone },
    },
    dateFormat: 'yyyy-MM-dd',
    timeFormat: 'HH:mm',
  };
}

/** The "FastTrack" tenant: one account per FastTrack person. */
export function staffTenant(centers: CenterModel = staffCenters()): SeedTenant {
  const users = centers.people.map<SeedUser>((person) => {
    const center = centers.centers.find((c) => c.id === person.centerId)!;
    const [givenName, ...rest] = person.name.split(' ');
    const locale = person.languages[0] ?? 'en-US';
    return {
      id: staffUserId(person.id),
      userPrincipalName: person.email,
      mail: person.email,
      displayName: person.name,
      givenName: givenName ?? null,
      surname: rest.join(' ') || null,
      jobTitle: person.role === 'specialist' ? 'FastTrack Specialist' : 'FastTrack Center engineer',
      department: 'FastTrack',
      officeLocation: center.name,
      preferredLanguage: locale,
      usageLocation: null,
      businessPhones: [],
      mobilePhone: null,
      accountEnabled: true,
      mailboxSettings: mailboxOf(center, locale),
      directoryRoleTemplateIds: [],
    };
  });
  return {
    organization: {
      displayName: 'FastTrack',
      countryLetterCode: 'US',
      preferredLanguage: 'en',
      onPremisesSyncEnabled: null,
      tenantType: 'AAD',
      deletedDateTime: null,
      businessPhones: [],
      createdDateTime: '2018-01-01T00:00:00Z',
      technicalNotificationMails: [],
      assignedPlans: [],
      provisionedPlans: [],
    },
    skus: [],
    domains: [
      { id: 'fasttrackstaff.onmicrosoft.com', authenticationType: 'Managed', isDefault: false, isInitial: true, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
      { id: STAFF_DOMAIN, authenticationType: 'Managed', isDefault: true, isInitial: false, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
    ],
    users,
    delegatedAdminCustomers: [],
  };
}
