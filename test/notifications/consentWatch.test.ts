import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { FrontDoorAdapter } from '../../bot/http/adapter';
import { createLogger } from '../../bot/logger';
import { ConsentWatch, PARTNER_CONSENT_KIND, partnerConsentKind } from '../../bot/notifications/consentWatch';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { Dispatcher } from '../../bot/notifications/dispatcher';
import { createNoticeKinds } from '../../bot/notifications/notice';
import { Outbox } from '../../bot/notifications/outbox';
import { AdapterSender } from '../../bot/notifications/sender';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { PARTNER_TENANTS } from '../../local/tenant/partners';
import { PATTI, renderer, teamsActivity } from '../helpers/botHarness';
import { startConnector } from '../helpers/connector';
import { freshOutboxStorage } from '../helpers/outboxStorage';

describe('a partner\'s wait for a customer\'s consent, through the work queue (Azurite) and the outbox', function () {
  this.timeout(60000);
  let azurite: AzuriteInstance;
  let dir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  const tenant = new LocalTenantServer();
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-consent-'));
    [azurite, connector] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0 }), startConnector({ status: () => 200 }), tenant.start(0)]);
  });
  after(async () => {
    await Promise.all([azurite.stop(), connector.stop(), tenant.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('re-checks while consent is missing, then tells the partner once, with a card that continues for that customer', async () => {
    const { documents, queue, poisonQueue, queueClient } = await freshOutboxStorage(azurite.connectionString);
    const references = new ConversationReferenceStore(documents);
    const kinds = createNoticeKinds(renderer).register(PARTNER_CONSENT_KIND, partnerConsentKind());
    const outbox = new Outbox({ queue, documents, kinds });
    const logger = createLogger('silent');
    const directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 5000 });
    const watch = new ConsentWatch({ queue, directory, outbox, logger, clock: () => new Date(), delaysSeconds: [0, 0, 0, 0] });
    const dispatcher = new Dispatcher({ queue, poisonQueue, documents, references, kinds, sender: new AdapterSender(new FrontDoorAdapter(new ConfigurationBotFrameworkAuthentication({})), ''), logger, pollMs: 20, retryDelaySeconds: () => 0, consentChecks: watch });
    await references.refresh(teamsActivity(PATTI, 'fr-FR', { type: 'message', id: 'm-1', serviceUrl: connector.url }));
    const waiting = async () => (await queueClient.getProperties()).approximateMessagesCount ?? 0;

    await watch.waitFor({ tenantId: TENANTS.fabrikam, userId: USERS.patti, customerTenantId: PARTNER_TENANTS.adatum, customerName: 'Adatum Corporation' }, 'fr-FR');
    await dispatcher.poll();
    await dispatcher.poll();
    assert.equal(connector.sent.length, 0, 'no consent yet: nothing said');
    assert.equal(await waiting(), 1, 'the next check is queued');

    tenant.setConsent(PARTNER_TENANTS.adatum, true);
    for (let i = 0; i < 5 && (await waiting()) > 0; i++) await dispatcher.poll();
    assert.equal(connector.sent.length, 1);
    const sent = connector.sent[0]!;
    assert.equal(sent.conversationId, `a:${USERS.patti}`);
    const card = JSON.stringify(sent.activity.attachments?.[0]?.content);
    assert.match(card, /Adatum Corporation a donné son consentement/, 'in Patti\'s language');
    assert.ok(card.includes(`"customerTenantId":"${PARTNER_TENANTS.adatum}"`));
    assert.equal(await waiting(), 0, 'the wait is over');
    assert.deepEqual(await poisonQueue.receive(32, 1), []);
  });
});
