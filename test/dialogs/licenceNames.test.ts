import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { TENANTS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { catalogSku, defaultSeed } from '../../local/tenant/seed';
import { cards, createTestBot, MEGAN, NANCY, renderer } from '../helpers/botHarness';

type Node = Record<string, unknown>;

/** The tenant-check card among the replies (its heading is the locale's tenantCheck.title). */
function tenantCheckCard(replies: Partial<Activity>[], locale = 'en-US'): Node {
  const card = cards(replies).find((c) => (c.body as Node[])[0]?.text === renderer.strings(locale).tenantCheck.title);
  assert.ok(card, 'a tenant-check card');
  return card;
}

/** The rows under a heading of the tenant-check card ("Counted", "Not counted, and why"), as title → value. */
function rowsUnder(card: Node, heading: string): Map<string, string> {
  const container = (card.body as Node[]).find((e) => e.type === 'Container' && (e.items as Node[])[0]?.text === heading);
  const factSet = ((container?.items ?? []) as Node[]).find((e) => e.type === 'FactSet');
  return new Map(((factSet?.facts ?? []) as { title: string; value: string }[]).map((f) => [f.title, f.value]));
}

describe('licences on the tenant check, as admins know them', function () {
  this.timeout(20000);
  // Contoso as seeded, plus a SKU whose part number no list knows (a new or private offer).
  const seed = defaultSeed();
  seed.tenants[TENANTS.contoso]!.skus.push({
    ...catalogSku(TENANTS.contoso, 'SPE_E3', { enabled: 25, consumed: 3, createdDateTime: '2024-01-01T00:00:00Z', nextLifecycleDateTime: null }),
    skuId: '0f1e2d3c-0000-4000-8000-00000000c0de',
    skuPartNumber: 'CONTOSO_PILOT_BUNDLE',
  });
  const tenant = new LocalTenantServer({ seed });
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  it('names Contoso\'s counted and not-counted licences like "Microsoft 365 E3 (SPE_E3)", and an unknown part number as it is', async () => {
    const english = renderer.strings('en-US');
    const card = tenantCheckCard(await createTestBot({ graph: tenant }).click(MEGAN, { verb: 'request.start' }));
    const counted = rowsUnder(card, english.tenantCheck.countedTitle);
    assert.deepEqual([...counted.keys()], ['Microsoft 365 E3 (SPE_E3)', 'Microsoft 365 E5 (SPE_E5)', 'Enterprise Mobility + Security E3 (EMS)']);
    assert.equal(counted.get('Microsoft 365 E3 (SPE_E3)'), '1,500');
    const notCounted = rowsUnder(card, english.tenantCheck.excludedTitle);
    assert.match(notCounted.get('Microsoft Power Automate Free (FLOW_FREE)') ?? '', /free plan/);
    assert.match(notCounted.get('Microsoft Fabric (Free) (POWER_BI_STANDARD)') ?? '', /free plan/);
    assert.match(notCounted.get('Office 365 E3 (ENTERPRISEPACK)') ?? '', /suspended/);
    assert.match(notCounted.get('CONTOSO_PILOT_BUNDLE') ?? '', new RegExp(english.tenantCheck.reasons.unknown), 'the unknown part number, alone');
  });

  it('writes the name and part number the way the admin\'s language does', async () => {
    const zh = renderer.strings('zh-CN');
    const card = tenantCheckCard(await createTestBot({ graph: tenant }).click(NANCY, { verb: 'request.start' }, 'zh-CN'), 'zh-CN');
    const notCounted = rowsUnder(card, zh.tenantCheck.excludedTitle);
    assert.ok(notCounted.has('Microsoft 365 E5 Developer (without Windows and Audio Conferencing)（DEVELOPERPACK_E5）'), [...notCounted.keys()].join(' | '));
  });
});
