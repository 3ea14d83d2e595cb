import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Template } from 'adaptivecards-templating';
import fc from 'fast-check';
import { CardRenderer, CARDS_DIR } from '../../bot/cards/cardRenderer';
import { compileTemplate } from '../../bot/cards/compiledTemplate';
import { CARD_DATA } from '../fixtures/cardData';

type Json = Record<string, unknown>;

/** What an expansion gives: its JSON text, or the error it throws. */
function outcome(expand: () => unknown): string {
  try {
    return `ok ${JSON.stringify(expand())}`;
  } catch (error) {
    return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

/** The compiled expansion and adaptivecards-templating's, on the same template and data. */
function both(template: unknown, root: unknown): { compiled: string; library: string } {
  const compiled = compileTemplate(template);
  assert.ok(compiled, 'the template compiles');
  return { compiled: outcome(() => compiled(root)), library: outcome(() => new Template(template).expand({ $root: root })) };
}

function assertSame(template: unknown, root: unknown): void {
  const { compiled, library } = both(template, root);
  assert.equal(compiled, library);
}

const renderer = CardRenderer.load();
const templates: Record<string, Json> = Object.fromEntries(
  renderer.cardNames.map((name) => [name, JSON.parse(fs.readFileSync(path.join(CARDS_DIR, `${name}.card.json`), 'utf8')) as Json]),
);

describe('compiled card templates', () => {
  it('render every card in every locale byte for byte as adaptivecards-templating does', () => {
    let compared = 0;
    for (const name of renderer.cardNames) {
      const library = new Template(templates[name]);
      for (const locale of renderer.locales) {
        const data = CARD_DATA[name] ?? {};
        const expected = JSON.stringify(library.expand({ $root: { ...data, strings: renderer.strings(locale) } }));
        assert.equal(JSON.stringify(renderer.expand(name, locale, data)), expected, `${name} in ${locale}`);
        compared++;
      }
    }
    assert.equal(compared, renderer.cardNames.length * renderer.locales.length);
  });

  it('render every card as the library does for generated data: missing, empty, null, other types, other letter case', () => {
    const odd = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constant(''),
      fc.boolean(),
      fc.integer({ min: -3, max: 3 }),
      fc.string({ maxLength: 6 }),
      fc.constant([]),
      fc.array(fc.record({ title: fc.string({ maxLength: 4 }), value: fc.oneof(fc.string({ maxLength: 4 }), fc.constant(undefined)) }), { maxLength: 3 }),
      fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null), fc.integer()), { maxLength: 3 }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    /** The card's own data with some fields (one level deep too) replaced, removed or renamed in another case. */
    const variant = (base: Json): fc.Arbitrary<Json> =>
      fc
        .tuple(...Object.keys(base).map((key) => fc.tuple(fc.constant(key), fc.nat(9), odd, fc.boolean())))
        .map((fields) => {
          const result: Json = {};
          for (const [key, choice, value, upper] of fields) {
            const original = base[key];
            const name = upper ? key.toUpperCase() : key;
            if (choice < 5) result[key] = original;
            else if (choice < 6 && original && typeof original === 'object' && !Array.isArray(original)) {
              const inner = { ...(original as Json) };
              for (const k of Object.keys(inner).filter((_, i) => i % 2 === 0)) inner[k] = typeof value === 'object' ? '' : value;
              result[key] = inner;
            } else if (choice < 8) result[key] = value;
            else if (choice < 9) result[name] = original;
          }
          return result;
        });
    for (const name of renderer.cardNames) {
      const library = new Template(templates[name]);
      fc.assert(
        fc.property(variant(CARD_DATA[name] ?? {}), fc.constantFrom(...renderer.locales), (data, locale) => {
          const root = { ...data, strings: renderer.strings(locale) };
          assert.equal(outcome(() => renderer.expand(name, locale, data)), outcome(() => library.expand({ $root: root })), `${name} in ${locale}`);
        }),
        { numRuns: 150 },
      );
    }
  });

  it('bind one-expression strings with their type and concatenate the others, placeholders kept for undefined fields', () => {
    const template = { a: '${n}', b: 'n=${n}, x=${missing.deep}', c: '${flag}', d: '${obj}', e: 'obj: ${obj}', f: '${list}', g: 'list: ${list}', h: '${missing}', i: 'plain', j: 3, k: null, l: '${1}', m: "${'lit'}" };
    assertSame(template, { n: 1.5, flag: false, obj: { x: 1 }, list: ['a', 'b'] });
    // A null value in a concatenation throws in the library; so it does compiled.
    const { compiled, library } = both({ t: 'x ${v}' }, { v: null });
    assert.match(library, /^threw TypeError/);
    assert.equal(compiled, library);
  });

  it('look paths up ignoring letter case, the first matching key winning', () => {
    const template = { a: '${Name}', b: '${NAME.First}', f: '${n.x}', g: '${list.length}', h: '${text.length}', i: '${$DATA.n}', j: '${$Root.name.first}' };
    assertSame(template, { name: { first: 'A' }, NAME: { first: 'B' }, list: [{ v: 1 }, { V: 2 }], text: 'xyz', n: 0 });
    const frozen = Object.freeze({ Name: 'first', name: 'second', nested: Object.freeze({ KEY: 'k' }) });
    assertSame({ a: '${s.name}', b: '${s.NAME}', c: '${s.nested.key}', d: '${s.nope}' }, { s: frozen });
    assertSame({ a: '${m.key}', b: '${m.KEY}' }, { m: new Map([['Key', 'v']]) });
  });

  it('repeat objects over $data arrays with $index, keep $root reachable, and drop reserved fields', () => {
    const template = {
      body: [
        { $data: '${items}', type: 'Row', text: '${name} #${$index}', root: '${$root.title}', self: '${$data.name}', gone: '${title}' },
        { $data: '${one}', text: '${name}' },
        { $data: '${missing}', text: '${name}' },
        { $data: '${empty}', text: 'never' },
        { $data: 'literal', text: '${$data}' },
        { $data: '${sparse}', text: '${name}', i: '${$index}' },
        { $when: '${show}', $root: 'x', $host: 'y', $index: 1, text: 'shown' },
        [{ $data: '${items}', n: '${name}' }, 'tail'],
      ],
    };
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [{ name: 'a' }, , { name: 'c' }];
    assertSame(template, { title: 'T', items: [{ name: 'x' }, { name: 'y' }], one: { name: 'solo' }, empty: [], sparse, show: true });
    assertSame(template, { title: 'T', items: [], one: null, show: 'yes' });
  });

  it('keep an object only when $when is the boolean true, with the operators of adaptive-expressions', () => {
    const conditions = ['${a}', '${!a}', "${a != ''}", "${a == ''}", '${a && b}', '${a || b}', "${a == 1}", "${a != true}", "${a && b != ''}", 'no expression', '', "${'x' == a}"];
    const template = { body: conditions.map((when, i) => ({ $when: when, i })), values: ['${a || b}', '${!b}', '${a && b}', "${a == 1}"] };
    const values = [undefined, null, true, false, 0, 1, 1 + Number.EPSILON / 2, '', 'x', [], {}, ['x']];
    for (const a of values) for (const b of values) assertSame(template, { a, b });
  });

  it('leave templates with more than the compiled subset to the library', () => {
    for (const template of [{ t: "${if(a, 'x', 'y')}" }, { t: '${a[0]}' }, { t: '${a + 1}' }, { $data: [{ x: 1 }], t: '${x}' }, { $when: '${a} ${b}' }, { t: '${$host.x}' }]) {
      assert.equal(compileTemplate(template), undefined, JSON.stringify(template));
    }
    const fallback = new CardRenderer({ t: { type: 'AdaptiveCard', text: "${if(ok, strings.form.title, 'no')}" } }, { 'en-US': { form: { title: 'Form' } } });
    assert.deepEqual(fallback.expand('t', 'en-US', { ok: true }), { type: 'AdaptiveCard', text: 'Form' });
  });
});
