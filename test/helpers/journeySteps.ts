import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { cards, MEGAN, visibleText, type createTestBot, type TestUser } from './botHarness';

export type Bot = ReturnType<typeof createTestBot>;
type Card = Record<string, unknown>;

/** The card among the replies whose primary action submits this verb, and that action's data. */
export function step(replies: Partial<Activity>[], verb: string): { card: Card; data: Record<string, unknown> } {
  for (const card of cards(replies)) {
    const action = ((card.actions ?? []) as Card[]).find((a) => (a.data as Card | undefined)?.verb === verb);
    if (action) return { card, data: action.data as Record<string, unknown> };
  }
  assert.fail(`no card submitting ${verb} among: ${visibleText(replies).slice(0, 600)}`);
}

export const ANSWERS = {
  identity: { identityPlan: 'federated', dnsReady: 'yes' },
  services: { services: 'exchange,teams,sharepoint', migration: 'true' },
  migration: { emailSource: 'exchangeOnPremises', mailboxes: '1200', emailSizeGb: '800', fileSource: 'fileShares', fileSizeTb: '2.5' },
  form: {
    products: 'exchange,teams',
    launchDate: '2099-03-01',
    mailSystem: 'exchangeOnPremises',
    businessReason: 'Retire our Exchange 2016 servers',
    successOwnerName: 'Megan Bowen',
    successOwnerRole: 'CIO',
    dataMigration: 'true',
    requesterName: 'Megan Bowen',
    requesterEmail: 'megan@contoso.com',
    requesterPhone: '+1 425 555 0100',
    customerName: 'Megan Bowen',
    customerEmail: 'megan@contoso.com',
    preferredLanguage: 'en-US',
    region: 'americas',
    timeZone: 'America/Los_Angeles',
  },
  adoption: { launchDate: '2099-04-01', successOwnerName: 'Megan Bowen', successOwnerRole: 'CIO', championCount: '12', champions: 'Adele Vance' },
};

/** The steps of the journey in order: the verb each card submits and good answers for it. */
export const STEPS = [
  { name: 'identity', verb: 'core.identity', answers: ANSWERS.identity },
  { name: 'services', verb: 'services.submit', answers: ANSWERS.services },
  { name: 'migration', verb: 'migration.submit', answers: ANSWERS.migration },
  { name: 'request form', verb: 'request.submit', answers: ANSWERS.form },
] as const;

/** Starts a request and answers steps until (not including) the step named `until`; returns the replies showing it. */
export async function walkTo(bot: Bot, until: (typeof STEPS)[number]['name'] | 'end', user: TestUser = MEGAN, locale = 'en-US'): Promise<Partial<Activity>[]> {
  let replies = await bot.click(user, { verb: 'request.start' }, locale);
  for (const s of STEPS) {
    if (s.name === until) return replies;
    replies = await bot.click(user, { ...step(replies, s.verb).data, ...s.answers }, locale);
  }
  return replies;
}

