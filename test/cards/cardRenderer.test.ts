import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CardRenderer, CARDS_DIR, fill } from '../../bot/cards/cardRenderer';
import { CARD_DATA } from '../fixtures/cardData';

// adaptivecards does not load from lib/ under Node; the bundled build parses without a DOM.
const AC = require('adaptivecards/dist/adaptivecards.min.js') as {
  AdaptiveCard: new () => { parse(json: unknown, context: unknown): void; validateProperties(): { validationEvents: { message: string }[] } };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
};

type Node = { [key: string]: unknown };

/** Checks adaptivecards misses: texts without text, actions without title, inputs without label. */
function ownProblems(node: unknown, where = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((child, i) => ownProblems(child, `${where}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  const problems: string[] = [];
  const empty = (v: unknown) => typeof v !== 'string' || v.trim() === '';
  if (n.type === 'TextBlock' && empty(n.text)) problems.push(`${where}: TextBlock without text`);
  if (typeof n.type === 'string' && n.type.startsWith('Action.') && empty(n.title)) problems.push(`${where}: ${n.type} without title`);
  if (typeof n.type === 'string' && n.type.startsWith('Input.') && empty(n.label)) problems.push(`${where}: ${n.type} without label`);
  if (n.type === 'Input.ChoiceSet' && (!Array.isArray(n.choices) || n.choices.some((c) => empty((c as Node).title)))) problems.push(`${where}: choice without title`);
  return [...problems, ...Object.entries(n).flatMap(([k, v]) => ownProblems(v, `${where}.${k}`))];
}

describe('card renderer', () => {
  const renderer = CardRenderer.load();
  const english = JSON.parse(fs.readFileSync(path.join(CARDS_DIR, 'locales', 'en-US.json'), 'utf8')) as Node;

  it('has data for every template it will render', () => {
    assert.deepEqual([...renderer.cardNames].sort(), Object.keys(CARD_DATA).sort());
  });

  for (const locale of CardRenderer.load().locales) {
    for (const name of Object.keys(CARD_DATA)) {
      it(`renders ${name} in ${locale} as a valid Adaptive Card 1.5 with every placeholder bound, under 80 KB`, () => {
        const card = renderer.expand(name, locale, CARD_DATA[name]);
        const json = JSON.stringify(card);
        assert.ok(!json.includes('${'), `unbound placeholder in ${name}/${locale}: ${/\$\{[^}]*\}/.exec(json)?.[0]}`);
        assert.ok(Buffer.byteLength(json) < 80 * 1024, `${name}/${locale} is ${Buffer.byteLength(json)} bytes`);
        assert.equal(card.version, '1.5');
        const context = new AC.SerializationContext();
        const parsed = new AC.AdaptiveCard();
        parsed.parse(card, context);
        const parseErrors = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
        assert.deepEqual(parseErrors, []);
        assert.deepEqual(parsed.validateProperties().validationEvents.map((e) => e.message), []);
        assert.deepEqual(ownProblems(card), []);
      });
    }
  }

  it('holds no literal user-facing text in any template', () => {
    for (const file of fs.readdirSync(CARDS_DIR).filter((f) => f.endsWith('.card.json'))) {
      const text = fs.readFileSync(path.join(CARDS_DIR, file), 'utf8');
      for (const match of text.matchAll(/"(text|title|label|placeholder|errorMessage|value)"\s*:\s*"([^"]*)"/g)) {
        const value = match[2]!;
        assert.ok(value === '' || /^\$\{[^}]+\}$/.test(value), `${file}: "${match[1]}" is the literal "${value}"`);
      }
    }
  });

  it('gives every locale table the same keys as en-US', () => {
    const keysOf = (node: unknown, prefix = ''): string[] =>
      node && typeof node === 'object' ? Object.entries(node).flatMap(([k, v]) => (v && typeof v === 'object' ? keysOf(v, `${prefix}${k}.`) : [`${prefix}${k}`])) : [];
    // `languages` are endonyms, the same in every table, so translations may leave them out.
    const reference = keysOf(english).filter((k) => !k.startsWith('languages.'));
    for (const file of fs.readdirSync(path.join(CARDS_DIR, 'locales'))) {
      const table = JSON.parse(fs.readFileSync(path.join(CARDS_DIR, 'locales', file), 'utf8')) as Node;
      const own = new Set(keysOf(table));
      assert.deepEqual(reference.filter((k) => !own.has(k)), [], `${file} misses keys`);
      assert.deepEqual([...own].filter((k) => !reference.includes(k) && !k.startsWith('languages.')), [], `${file} has keys en-US does not`);
    }
  });

  it('renders in Chinese for a zh-CN user and in English for an unknown locale', () => {
    assert.equal((renderer.expand('welcome', 'zh-CN', { resumeRequestId: '' }).body as Node[])[0]!.text, '欢迎使用 FastTrack 载入服务');
    assert.equal((renderer.expand('welcome', 'zh', { resumeRequestId: '' }).body as Node[])[0]!.text, '欢迎使用 FastTrack 载入服务');
    assert.equal((renderer.expand('welcome', 'xx-XX', { resumeRequestId: '' }).body as Node[])[0]!.text, 'Welcome to FastTrack onboarding');
  });

  it('renders in English for a locale that is not a string, or that names an object property', () => {
    for (const locale of [42, { lang: 'zh-CN' }, '__proto__', 'constructor', 'x'.repeat(300)]) {
      assert.equal((renderer.expand('welcome', locale, { resumeRequestId: '' }).body as Node[])[0]!.text, 'Welcome to FastTrack onboarding', String(locale));
      assert.equal(renderer.resolve(locale), 'en-US');
    }
  });

  it('keeps entered values and shows errors next to their field on the form', () => {
    const card = JSON.stringify(renderer.expand('requestForm', 'en-US', CARD_DATA.requestForm));
    assert.match(card, /"value":"liwei@contoso"/);
    assert.match(card, /Enter an email address/);
  });

  it('shows no error lines on a fresh form', () => {
    const errors = Object.fromEntries(Object.keys(CARD_DATA.requestForm!.values as object).map((k) => [k, '']));
    const data = { ...CARD_DATA.requestForm, hasErrors: false, errors };
    const body = renderer.expand('requestForm', 'en-US', data).body as Node[];
    assert.equal(body.filter((e) => e.color === 'Attention').length, 0);
  });

  it('fills named placeholders and leaves unknown ones visible', () => {
    assert.equal(fill('{seats} seats for {org}', { seats: 150 }), '150 seats for {org}');
  });
});
