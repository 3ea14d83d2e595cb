import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { BookingLedger } from '../booking/ledger';
import { staffMeetingsCard, staffRequestsCard, staffWelcomeCard, type StaffMeeting } from '../cards/staffCards';
import { errorFields } from '../dialogs/errors';
import { centerOf, personByEmail, type CenterModel, type FastTrackCenter, type FastTrackPerson } from '../domain/centers';
import type { OnboardingRequest } from '../domain/journey';
import { confirmedMeetings, groupByState, myMeetingDays } from '../domain/staff';
import { ids, tenantOf, userOf } from '../turnIdentity';
import { staffCommandOf } from './commands';
import type { FastTrackBotDeps } from './handlerDeps';

/** What a FastTrack person's own chat needs beyond the journey's dependencies (wired in app.ts). */
export interface StaffDeps {
  /** FASTTRACK_STAFF_TENANT_ID: personal chats in this tenant are FastTrack people's, not customers'. */
  staffTenantId: string;
  centers: CenterModel;
  ledger: BookingLedger;
  /** The assignment index (StorageRequestRepository). */
  assignments: { assignedTo(personId: string): Promise<OnboardingRequest[]> };
  /** The acting user's roster entry (default: TeamsInfo.getMember, the Bot Connector's conversation member). */
  roster?: (context: TurnContext) => Promise<{ email?: string; userPrincipalName?: string }>;
}

/** Who is writing, as far as the roster and the directory tell. */
type Identity = { person: FastTrackPerson; center: FastTrackCenter } | { person: undefined; account: string | undefined };

const rosterMember = (context: TurnContext) => TeamsInfo.getMember(context, context.activity.from.id);

/**
 * A FastTrack person's personal chat in the staff tenant: a staff welcome (instead of the admin
 * journey's), "my requests" (assigned to them, by state, from the assignment index) and "my meetings"
 * (confirmed ledger bookings in the next business days of their center, in its zone). The person is
 * the centers.json person whose e-mail is the account's (the Teams roster's email or UPN; the
 * staff tenant's directory when the roster cannot be read). Anyone else in the staff tenant is told
 * this chat is for FastTrack people, and nothing more.
 */
export class StaffHandler {
  constructor(
    private readonly deps: FastTrackBotDeps,
    private readonly staff: StaffDeps,
  ) {}

  /** True for a personal chat in the staff tenant (team and group conversations are not this handler's). */
  owns(context: TurnContext): boolean {
    const type = context.activity.conversation?.conversationType;
    return tenantOf(context) === this.staff.staffTenantId.toLowerCase() && (type === undefined || type === 'personal');
  }

  async sendWelcome(context: TurnContext): Promise<void> {
    const who = await this.identify(context);
    if (who) await context.sendActivity({ attachments: [staffWelcomeCard(this.deps.renderer, context.activity.locale, who.person, who.center)] });
  }

  async handleMessage(context: TurnContext): Promise<void> {
    const who = await this.identify(context);
    if (!who) return;
    const locale = context.activity.locale;
    switch (staffCommandOf(context, this.deps.renderer)) {
      case 'myRequests':
        return this.showRequests(context, who.person, who.center);
      case 'myMeetings':
        return this.showMeetings(context, who.person, who.center);
      default:
        await context.sendActivity(this.deps.renderer.text(locale, (s) => s.staff.unknown));
        await context.sendActivity({ attachments: [staffWelcomeCard(this.deps.renderer, locale, who.person, who.center)] });
    }
  }

  private async showRequests(context: TurnContext, person: FastTrackPerson, center: FastTrackCenter): Promise<void> {
    const mine = await this.staff.assignments.assignedTo(person.id);
    this.deps.logger.info({ ...ids(context), personId: person.id, requests: mine.length }, 'staff: my requests');
    await context.sendActivity({ attachments: [staffRequestsCard(this.deps.renderer, context.activity.locale, groupByState(mine), center)] });
  }

  private async showMeetings(context: TurnContext, person: FastTrackPerson, center: FastTrackCenter): Promise<void> {
    const now = this.deps.clock();
    const { days, until } = myMeetingDays(center, now);
    const ledgerPerson = { id: person.id, timeZone: center.timeZone };
    const reservations = (await Promise.all(days.map((d) => this.staff.ledger.day(ledgerPerson, new Date(d.opensAt).toISOString())))).flat();
    const booked = confirmedMeetings(reservations, now, until);
    // One read per request, for its tenant's name.
    const requestKeys = [...new Set(booked.map((r) => `${r.tenantId}/${r.requestId}`))];
    const requests = new Map(
      await Promise.all(
        requestKeys.map(async (key) => {
          const [tenantId, requestId] = key.split('/') as [string, string];
          return [key, await this.deps.requests.get(tenantId, requestId).catch(() => undefined)] as const;
        }),
      ),
    );
    const meetings: StaffMeeting[] = booked.map((r) => ({
      start: r.start,
      end: r.end,
      kind: r.kind,
      requestId: r.requestId,
      tenant: requests.get(`${r.tenantId}/${r.requestId}`)?.tenantCheck.organization ?? r.tenantId,
    }));
    this.deps.logger.info({ ...ids(context), personId: person.id, meetings: meetings.length }, 'staff: my meetings');
    await context.sendActivity({ attachments: [staffMeetingsCard(this.deps.renderer, context.activity.locale, meetings, center, now)] });
  }

  /** The FastTrack person writing, or undefined after telling them why there is nothing for them. */
  private async identify(context: TurnContext): Promise<{ person: FastTrackPerson; center: FastTrackCenter } | undefined> {
    const who = await this.lookUp(context);
    if (who === 'unknown') {
      await context.sendActivity(this.deps.renderer.text(context.activity.locale, (s) => s.staff.notIdentified));
      return undefined;
    }
    if (!who.person) {
      this.deps.logger.info({ ...ids(context) }, 'staff tenant: a user who is not a FastTrack person');
      const account = who.account ?? context.activity.from.name ?? '';
      await context.sendActivity(this.deps.renderer.text(context.activity.locale, (s) => s.staff.notStaff, { account }));
      return undefined;
    }
    return who;
  }

  private async lookUp(context: TurnContext): Promise<Identity | 'unknown'> {
    const found = (email: string | undefined): Identity | undefined => {
      const person = personByEmail(this.staff.centers, email);
      const center = person && centerOf(this.staff.centers, person);
      return person && center ? { person, center } : undefined;
    };
    try {
      const member = await (this.staff.roster ?? rosterMember)(context);
      return found(member.email) ?? found(member.userPrincipalName) ?? { person: undefined, account: member.email ?? member.userPrincipalName };
    } catch (error) {
      this.deps.logger.warn({ ...ids(context), err: errorFields(error) }, 'staff: roster not read; asking the directory');
    }
    const userId = userOf(context);
    if (!userId) return 'unknown';
    try {
      const user = await this.deps.directory.getUserProfile(this.staff.staffTenantId, userId);
      return found(user.mail) ?? found(user.userPrincipalName) ?? { person: undefined, account: user.mail ?? user.userPrincipalName };
    } catch (error) {
      // A user the staff directory does not know is no FastTrack person; anything else is "try again".
      if ((error as { status?: number }).status === 404) return { person: undefined, account: undefined };
      this.deps.logger.warn({ ...ids(context), err: errorFields(error) }, 'staff: directory not read either');
      return 'unknown';
    }
  }
}
