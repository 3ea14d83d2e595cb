import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationBotFrameworkAuthentication, ConversationState, MemoryStorage } from 'botbuilder';
import type { FastTrackPerson } from '../../bot/domain/centers';
import type { OnboardingRequest } from '../../bot/domain/journey';
import { applyTriage, triageVersion, type TriageAction, type TriageResult } from '../../bot/domain/triage';
import { ReadinessProbe } from '../../bot/health';
import { FrontDoorAdapter } from '../../bot/http/adapter';
import { createLogger } from '../../bot/logger';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { Dispatcher } from '../../bot/notifications/dispatcher';
import { createNoticeKinds } from '../../bot/notifications/notice';
import { Outbox } from '../../bot/notifications/outbox';
import { AdapterSender } from '../../bot/notifications/sender';
import { BotServer } from '../../bot/server';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { FastTrackBot } from '../../bot/teamsBot';
import type { TriageChange, TriageObserver } from '../../bot/triage/observer';
import { RequesterNotices, TRIAGE_NOTICE_KIND, triageNoticeKind } from '../../bot/triage/requesterNotices';
import { tellObservers } from '../../bot/triage/tellObservers';
import { createTurnErrorHandler } from '../../bot/turnErrorHandler';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { journeyDeps, renderer, teamsActivity, type TestUser } from './botHarness';
import { startConnector } from './connector';
import { freshOutboxStorage } from './outboxStorage';
import type { LogLine } from './calendarWorld';

/**
 * The requester's side of triage wired as bot/app.ts wires it, on Azurite, the local tenant and the
 * test connector: the bot behind the HTTP front door (`/api/messages`, invokes answered over HTTP),
 * the outbox with the `triageUpdate` kind and its dispatcher, the requester notices as a triage
 * observer, and `staff()` standing in for the triage channel's actions (apply, store, tell observers).
 */
export async function startRequesterWorld(): Promise<{ connector: Awaited<ReturnType<typeof startConnector>>; fresh(): Promise<RequesterWorld>; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-requester-'));
  const tenant = new LocalTenantServer();
  const [azurite, connector] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0, log: () => undefined }), startConnector(), tenant.start(0)]);
  const worlds: RequesterWorld[] = [];
  return {
    connector,
    async fresh() {
      const world = await requesterWorld(azurite, tenant, connector.url);
      worlds.push(world);
      return world;
    },
    async stop() {
      for (const w of worlds) await w.stop();
      await Promise.all([azurite.stop(), connector.stop(), tenant.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type RequesterWorld = Awaited<ReturnType<typeof requesterWorld>>;

async function requesterWorld(azurite: AzuriteInstance, tenant: LocalTenantServer, connectorUrl: string) {
  const { documents, queue, poisonQueue } = await freshOutboxStorage(azurite.connectionString);
  const logs: LogLine[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const requests = new StorageRequestRepository(documents);
  const references = new ConversationReferenceStore(documents);
  const clock = () => new Date();
  const kinds = createNoticeKinds(renderer).register(TRIAGE_NOTICE_KIND, triageNoticeKind({ requests }));
  const outbox = new Outbox({ queue, documents, kinds, clock });
  const notices = new RequesterNotices({ outbox, logger });
  /** What the triage channel's card would learn: every change told to the observers. */
  const told: TriageChange[] = [];
  const observers: TriageObserver[] = [notices, { triageChanged: async (change) => void told.push(change) }];
  const state = new MemoryStorage();
  const bot = new FastTrackBot({
    ...journeyDeps({ graph: tenant, storage: state, documents, requests }),
    logger,
    conversationState: new ConversationState(state),
    references,
    triageObservers: observers,
  });
  const adapter = new FrontDoorAdapter(new ConfigurationBotFrameworkAuthentication({}));
  adapter.onTurnError = createTurnErrorHandler(renderer, logger);
  const dispatcher = new Dispatcher({ queue, poisonQueue, documents, references, kinds, sender: new AdapterSender(adapter, ''), logger, clock, pollMs: 50 });
  const server = new BotServer({ adapter, bot, logger, version: 'test', readiness: new ReadinessProbe({ version: 'test', checks: { storage: async () => true } }) });
  const port = await server.listen(0, '127.0.0.1');
  dispatcher.start();

  return {
    requests,
    outbox,
    notices,
    told,
    logs,
    /** Makes the user's personal chat reachable through the test connector (their last activity in `locale`). */
    async installFor(user: TestUser, locale = 'en-US') {
      await references.refresh(teamsActivity(user, locale, { type: 'message', serviceUrl: connectorUrl, text: 'hi' }));
    },
    /** A FastTrack person's action from the triage channel: applied as of the current version, stored, observers told. */
    async staff(request: Pick<OnboardingRequest, 'tenantId' | 'id'>, action: TriageAction, person: FastTrackPerson): Promise<OnboardingRequest> {
      let result: TriageResult | undefined;
      let before: OnboardingRequest | undefined;
      const stored = await requests.update(request.tenantId, request.id, (current) => {
        before = current;
        result = applyTriage(current, action, { kind: 'staff', person }, triageVersion(current), clock());
        return result.ok ? result.request : undefined;
      });
      if (!result?.ok || !stored) throw new Error(`the triage action ${action.action} was refused: ${result && !result.ok ? result.refusal : 'no request'}`);
      await tellObservers(observers, { before: before!, after: stored, entry: result.entry }, logger);
      return stored;
    },
    /** POSTs an activity from a user to /api/messages (their personal chat unless `conversation` says otherwise). */
    async post(user: TestUser, locale: string, extra: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
      const activity = { ...teamsActivity(user, locale, {}), serviceUrl: connectorUrl, id: `act-${Math.random().toString(36).slice(2)}`, ...extra };
      const response = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    async stop() {
      await dispatcher.stop();
      await server.close(1000);
    },
  };
}
