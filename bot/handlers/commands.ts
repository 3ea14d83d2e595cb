import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { CardRenderer, Strings } from '../cards/cardRenderer';

/** A command a user can type (in English or in their language) or click. */
export type Command = keyof Strings['commands'];

const TYPED: readonly Command[] = ['request', 'eligibility', 'help', 'cancel', 'status', 'startOver', 'adoption', 'continue', 'book', 'reschedule'];
// Card verbs that work at any time, whatever dialog is active.
const GLOBAL_VERBS: Record<string, Command> = {
  'request.start': 'request',
  'eligibility.check': 'eligibility',
  'help.show': 'help',
  'status.show': 'status',
  'adoption.start': 'adoption',
  'journey.continue': 'continue',
  'journey.cancel': 'cancel',
  'journey.startOver': 'startOver',
  'meeting.book': 'book',
};
export const MEETING_VERBS = ['meeting.reschedule', 'meeting.cancel', 'checkpoints.add'] as const;
export type MeetingVerb = 'meeting.book' | (typeof MEETING_VERBS)[number];

const cardValue = z.looseObject({
  verb: z.string().max(64),
  requestId: z.string().max(32).optional(),
  token: z.string().max(32).optional(),
  answer: z.string().max(8).optional(),
  eventId: z.string().max(256).optional(),
  /** A partner's card names the customer it acts for (checked on the server before anything is done). */
  customerTenantId: z.string().max(64).optional(),
});

/** What a message turn asks for, before any dialog sees it. */
export type Intent =
  | { kind: 'confirm'; token: string | undefined; yes: boolean }
  | { kind: 'meeting'; verb: MeetingVerb; eventId: string | undefined }
  | { kind: 'command'; command: Command; requestId: string | undefined; customerTenantId?: string }
  /** Anything else: the active dialog's to answer. */
  | { kind: 'dialog' };

/** Reads a message turn's intent from its card value (untrusted, checked) or its typed text. */
export function intentOf(context: TurnContext, renderer: CardRenderer): Intent {
  const parsed = cardValue.safeParse(context.activity.value);
  const value = parsed.success ? parsed.data : undefined;
  if (value?.verb === 'confirm.answer') return { kind: 'confirm', token: value.token, yes: value.answer === 'yes' };
  const meetingVerb = MEETING_VERBS.find((v) => v === value?.verb);
  if (meetingVerb) return { kind: 'meeting', verb: meetingVerb, eventId: value?.eventId };
  const command = (value && GLOBAL_VERBS[value.verb]) || typedCommand(context, renderer);
  if (command === 'book') return { kind: 'meeting', verb: 'meeting.book', eventId: undefined };
  if (command === 'reschedule') return { kind: 'meeting', verb: 'meeting.reschedule', eventId: undefined };
  if (!command) return { kind: 'dialog' };
  return { kind: 'command', command, requestId: value?.requestId, ...(value?.customerTenantId ? { customerTenantId: value.customerTenantId } : {}) };
}

/** A typed command in English or in the user's language ("help", "帮助"), mentions removed. */
function typedCommand(context: TurnContext, renderer: CardRenderer): Command | undefined {
  return typedFrom(context, TYPED, renderer.strings(context.activity.locale).commands, renderer.strings('en-US').commands);
}

function typedFrom<C extends string>(context: TurnContext, commands: readonly C[], localized: Record<C, string>, english: Record<C, string>): C | undefined {
  const text = (context.activity.text ?? '')
    .replace(/<at>.*?<\/at>/g, '')
    .trim()
    .toLowerCase();
  if (!text || text.length > 40) return undefined;
  return commands.find((c) => text === english[c] || text === localized[c].toLowerCase());
}

/** A FastTrack person's own commands (their chat in the staff tenant), typed in English or their language, or clicked. */
export type StaffCommand = keyof Strings['staff']['commands'];
const STAFF_COMMANDS: readonly StaffCommand[] = ['myRequests', 'myMeetings'];
const STAFF_VERBS: Record<string, StaffCommand> = { 'staff.requests': 'myRequests', 'staff.meetings': 'myMeetings' };

export function staffCommandOf(context: TurnContext, renderer: CardRenderer): StaffCommand | undefined {
  const parsed = cardValue.safeParse(context.activity.value);
  const verb = parsed.success && Object.hasOwn(STAFF_VERBS, parsed.data.verb) ? STAFF_VERBS[parsed.data.verb] : undefined;
  return verb ?? typedFrom(context, STAFF_COMMANDS, renderer.strings(context.activity.locale).staff.commands, renderer.strings('en-US').staff.commands);
}
