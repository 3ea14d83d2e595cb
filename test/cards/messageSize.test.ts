import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { SUPPORTED_LOCALES } from '../../bot/domain/locale';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { WOODGROVE_NAME } from '../../local/tenant/seed';
import { createTestBot, visibleText, type TestUser } from '../helpers/botHarness';
import { ANSWERS, step } from '../helpers/journeySteps';

/**
 * Teams counts a bot message as UTF-16 (an ASCII character is 2 bytes). Its documented limit has
 * been 40 KB (now 100 KB, 80 KB advised); a bigger message is refused with 413 MessageSizeTooBig.
 * Every message stays under the old limit, so it works on every client.
 */
const LIMIT = 40 * 1024;
const utf16Bytes = (activity: Partial<Activity>) => JSON.stringify(activity).length * 2;

// Woodgrove's admins, one per FastTrack region; each language is served where its admin is.
const admin = (id: string, name: string): TestUser => ({ aadObjectId: id, name, tenantId: TENANTS.woodgrove });
const AMERICAS = { user: admin(USERS.woodgroveAmericas, 'Maria Fernanda de Albuquerque Vasconcelos e Sá Carneiro-Magalhães'), region: 'americas', timeZone: 'America/Sao_Paulo' };
const EMEA = { user: admin(USERS.woodgroveEmea, 'Jean-Baptiste Alexandre de La Rochefoucauld-Montmorency-Laval'), region: 'emea', timeZone: 'Europe/Paris' };
const APAC = { user: admin(USERS.woodgroveApac, 'ศิริวรรณ ชัยพฤกษ์รัตนโกสินทร์สมบูรณ์ศักดิ์ (Siriwan Chaiyaphruek-Rattanakosin)'), region: 'apac', timeZone: 'Asia/Bangkok' };
const ADMIN_OF: Record<string, typeof AMERICAS> = {
  'en-US': AMERICAS, 'pt-BR': AMERICAS, 'es-ES': EMEA, 'fr-FR': EMEA, 'de-DE': EMEA, 'it-IT': EMEA,
  'zh-CN': APAC, 'zh-TW': APAC, 'ja-JP': APAC, 'ko-KR': APAC, 'th-TH': APAC, 'vi-VN': APAC,
};
const NOT_ADMIN = admin(USERS.woodgroveUser, 'Alexandra Montgomery-Fitzwilliam');
const EVERY_SERVICE = 'exchange,sharepoint,onedrive,teams,apps,intune,entra';
// The longest answers the cards let a person type (their maxLength), in Thai: as long as anything typed.
const typed = (length: number) => 'ย้ายกล่องจดหมายและไฟล์ทั้งหมดไปยัง Microsoft 365 ก่อนสิ้นปีงบประมาณ '.repeat(40).slice(0, length);

interface Sent {
  label: string;
  bytes: number;
}

interface Largest {
  top: Sent;
  /** The largest message that is not the request form (the form with every error shown is the top everywhere). */
  other: Sent;
}

describe('message size: every message of every journey fits in 40 KB counted as UTF-16', function () {
  this.timeout(120_000);
  const tenant = new LocalTenantServer();
  const largest = new Map<string, Largest>();
  before(() => tenant.start(0));
  after(async () => {
    await tenant.stop();
    if (largest.size === 0) return;
    // The closing note quotes these: the largest message per locale, in bytes as UTF-16.
    console.log('\n    largest message per locale (bytes as UTF-16, limit 40,960):');
    for (const [locale, { top, other }] of largest) {
      console.log(`      ${locale.padEnd(6)} ${String(top.bytes).padStart(6)}  ${top.label.padEnd(26)} next: ${String(other.bytes).padStart(6)}  ${other.label}`);
    }
  });

  it('drives the worst case: Woodgrove\'s 256-character name and every service', () => {
    assert.equal(WOODGROVE_NAME.length, 256);
  });

  for (const locale of SUPPORTED_LOCALES) {
    it(`keeps every message under 40 KB in ${locale}, the largest tenant, every service, migration, the whole journey`, async () => {
      tenant.reset();
      const bot = createTestBot({ graph: tenant });
      // A failed turn would still send (a short apology): the journey must not fail anywhere.
      const failures: string[] = [];
      const report = bot.adapter.onTurnError;
      bot.adapter.onTurnError = async (context, error) => {
        failures.push(error instanceof Error ? error.message : String(error));
        await report(context, error);
      };
      const { user, region, timeZone } = ADMIN_OF[locale]!;
      const other = [AMERICAS, EMEA, APAC].find((a) => a !== ADMIN_OF[locale])!.user;
      const sent: Sent[] = [];
      const turn = async (label: string, replies: Promise<Partial<Activity>[]>): Promise<Partial<Activity>[]> => {
        const answered = await replies;
        for (const activity of answered) sent.push({ label, bytes: utf16Bytes(activity) });
        return answered;
      };
      const click = (label: string, who: TestUser, value: Record<string, unknown>) => turn(label, bot.click(who, value, locale));
      const say = (label: string, who: TestUser, text: string) => turn(label, bot.say(who, text, locale));

      await turn('welcome', bot.install(NOT_ADMIN, locale));
      await click('not an admin', NOT_ADMIN, { verb: 'request.start' });
      await turn('welcome', bot.install(user, locale));
      await say('help', user, 'help');
      await click('tenant check', user, { verb: 'eligibility.check' });
      const identity = await click('tenant check and identity', user, { verb: 'request.start' });
      assert.ok(visibleText(identity).includes(WOODGROVE_NAME), 'the tenant check names the organisation');
      await say('help in the journey', user, 'help');
      const services = await click('services', user, { ...step(identity, 'core.identity').data, ...ANSWERS.identity });
      const migration = await click('migration', user, { ...step(services, 'services.submit').data, services: EVERY_SERVICE, migration: 'true' });
      const migrationAgain = await click('migration with errors', user, { ...step(migration, 'migration.submit').data, ...ANSWERS.migration, emailSource: 'otherTenant', mailboxes: 'many', emailSizeGb: '-1', fileSizeTb: 'x' });
      const form = await click('request form', user, { ...step(migrationAgain, 'migration.submit').data, ...ANSWERS.migration });
      const answers = {
        ...ANSWERS.form, products: EVERY_SERVICE, dataMigration: 'true', preferredLanguage: locale, region, timeZone,
        businessReason: typed(1000), successOwnerName: typed(100), successOwnerRole: typed(100), requesterName: typed(100), customerName: typed(100),
      };
      // Every other field wrong, the longest values kept, and the longest zone list (a zone outside EMEA's list).
      const formErrors = await click('request form with errors', user, {
        ...step(form, 'request.submit').data, ...answers, products: `${EVERY_SERVICE},minecraft`, launchDate: '2001-01-01', mailSystem: 'carrier pigeon',
        requesterEmail: 'not an address', requesterPhone: 'call me', customerEmail: 'nobody@', preferredLanguage: 'xx-XX', region: 'emea', timeZone: 'Atlantic/Cape_Verde',
      });
      const formErrorsZone = await click('request form with a bad zone', user, { ...step(formErrors, 'request.submit').data, ...answers, timeZone: 'Mars/Olympus', region: 'nowhere' });
      const slots = await click('submitted, slots', user, { ...step(formErrorsZone, 'request.submit').data, ...answers });
      await click('existing request (another admin)', other, { verb: 'request.start' });
      await say('status before booking', user, 'status');
      const booked = await click('meeting booked', user, { ...step(slots, 'slot.pick').data, slot: '0' });
      assert.ok(JSON.stringify(booked).includes('meetup-join'), 'the kickoff is booked');
      const checkpointSlots = await click('checkpoint slots', user, step(booked, 'checkpoints.add').data);
      const checkpoints = await click('checkpoints booked', user, { ...step(checkpointSlots, 'slot.pick').data, slot: '0', interval: '1' });
      const moveSlots = await click('reschedule slots', user, step(booked, 'meeting.reschedule').data);
      await click('meeting moved', user, { ...step(moveSlots, 'slot.pick').data, slot: '1' });
      const adoption = await click('user adoption', user, { verb: 'adoption.start' });
      const adoptionErrors = await click('user adoption with errors', user, { ...step(adoption, 'adoption.submit').data, launchDate: '2001-01-01', successOwnerName: '', successOwnerRole: typed(100), championCount: 'lots', champions: typed(1000) });
      await click('user adoption done', user, { ...step(adoptionErrors, 'adoption.submit').data, ...ANSWERS.adoption, successOwnerName: typed(100), successOwnerRole: typed(100), champions: typed(1000) });
      const status = await say('status with meetings', user, 'status');
      assert.ok(status.length > 0);
      const question = await say('confirm cancel', user, 'cancel');
      await click('carry on', user, { ...step(question, 'confirm.answer').data, answer: 'no' });
      const cancelAsk = await click('cancel a meeting', user, step(checkpoints, 'meeting.cancel').data);
      await click('meeting cancelled', user, { ...step(cancelAsk, 'meetingCancel.submit').data, reason: 'other', details: typed(500) });
      await turn('welcome back', bot.install(user, locale));
      await say('status at the end', user, 'status');

      assert.deepEqual(failures, [], 'no turn failed');
      const biggest = (list: Sent[]) => list.reduce((a, b) => (b.bytes > a.bytes ? b : a));
      largest.set(locale, { top: biggest(sent), other: biggest(sent.filter((s) => !s.label.startsWith('request form'))) });
      const over = sent.filter((s) => s.bytes >= LIMIT);
      assert.deepEqual(over, [], `messages of ${locale} at or over ${LIMIT} bytes as UTF-16`);
      assert.ok(sent.length >= 30, `${sent.length} messages measured`);
    });
  }
});
