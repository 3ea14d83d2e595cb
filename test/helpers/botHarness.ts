import fs from 'node:fs';
import path from 'node:path';
import { ConversationState, MemoryStorage, TestAdapter, type Activity, type Storage } from 'botbuilder';
import { CardRenderer } from '../../bot/cards/cardRenderer';
import { BookingService } from '../../bot/booking/bookingService';
import { BookingLedger } from '../../bot/booking/ledger';
import { GLOBAL_ADMINISTRATOR } from '../../bot/config';
import { parseCenterModel } from '../../bot/domain/centers';
import { MemoryDocumentStore, type DocumentStore } from '../../bot/storage/documentStore';
import type { JourneyDeps } from '../../bot/dialogs/journeyDeps';
import { parseEligibilityRules } from '../../bot/domain/eligibility';
import { parseProductNames } from '../../bot/domain/products';
import { parseServiceCatalog } from '../../bot/domain/services';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import type { TenantDirectory } from '../../bot/graph/tenantDirectory';
import { TENANTS, USERS } from '../../local/tenant/ids';
import type { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { createLogger } from '../../bot/logger';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { StorageRequestRepository, type RequestRepository } from '../../bot/storage/requestRepository';
import { FastTrackBot } from '../../bot/teamsBot';
import { createTurnErrorHandler } from '../../bot/turnErrorHandler';
import type { PartnerServices } from '../../bot/dialogs/journeyDeps';
import { adminConsentUrl } from '../../bot/domain/partners';
import { ConsentWatch } from '../../bot/notifications/consentWatch';
import type { NoticeInput } from '../../bot/notifications/notice';
import { PartnerIndex } from '../../bot/storage/partnerIndex';
import { MemoryWorkQueue } from './memoryQueue';

export const renderer = CardRenderer.load();
const DATA = path.resolve(__dirname, '../../bot/data');
export const rules = parseEligibilityRules(JSON.parse(fs.readFileSync(path.join(DATA, 'eligibility.json'), 'utf8')));
export const centers = parseCenterModel(JSON.parse(fs.readFileSync(path.join(DATA, 'centers.json'), 'utf8')));
export const catalog = parseServiceCatalog(JSON.parse(fs.readFileSync(path.join(DATA, 'services.json'), 'utf8')));
export const products = parseProductNames(JSON.parse(fs.readFileSync(path.join(DATA, 'products.json'), 'utf8')));

// One document store per Storage: a "restarted" bot on the same storage sees the same pointers and ledger.
const DOCUMENTS = new WeakMap<Storage, DocumentStore>();
function documentsOf(storage: Storage): DocumentStore {
  let documents = DOCUMENTS.get(storage);
  if (!documents) DOCUMENTS.set(storage, (documents = new MemoryDocumentStore()));
  return documents;
}

/** The dependencies of the journey's dialogs, as production wires them, on a given Graph and storage. */
/** Where the partner journey's durable work goes in a test: consent checks queued, notices sent. */
export interface PartnerWork {
  queue: MemoryWorkQueue;
  notices: NoticeInput[];
}

export const LOCAL_CONSENT = { authority: 'http://127.0.0.1/_local/login', clientId: '00000000-0000-0000-0000-000000000000' };

function partnerServices(work: PartnerWork, directory: TenantDirectory, documents: DocumentStore, logger: ReturnType<typeof createLogger>, clock: () => Date): PartnerServices {
  const consent = new ConsentWatch({ queue: work.queue, directory, outbox: { enqueue: async (notice) => void work.notices.push(notice) }, logger, clock, delaysSeconds: [60, 120] });
  return { index: new PartnerIndex(documents), consent, consentUrl: (tenantId) => adminConsentUrl(tenantId, LOCAL_CONSENT) };
}

export function journeyDeps(options: {
  graph: LocalTenantServer | TenantDirectory;
  storage: Storage;
  requests?: RequestRepository;
  now?: () => Date;
  adminRoleTemplateIds?: string[];
  documents?: DocumentStore;
  partnerWork?: PartnerWork;
  logger?: ReturnType<typeof createLogger>;
}): JourneyDeps {
  const directory =
    'getTenantProfile' in options.graph ? options.graph : new GraphTenantDirectory({ baseUrl: options.graph.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 5000 });
  let counter = 0;
  const clock = options.now ?? (() => new Date());
  const documents = options.documents ?? documentsOf(options.storage);
  const ledger = new BookingLedger(documents, clock);
  const requests = options.requests ?? new StorageRequestRepository(documents);
  const logger = createLogger('silent');
  return {
    booking: new BookingService({ directory, ledger, centers, requests, clock }),
    partners: options.partnerWork ? partnerServices(options.partnerWork, directory, documents, logger, clock) : undefined,
    directory,
    requests,
    renderer,
    logger: options.logger ?? logger,
    rules,
    catalog,
    products,
    adminRoleTemplateIds: options.adminRoleTemplateIds ?? [GLOBAL_ADMINISTRATOR],
    clock,
    // Deterministic but distinct request ids across bots sharing one storage.
    random: (size) => Uint8Array.from({ length: size }, (_, i) => (Date.now() + counter++ * 7 + i * 13) % 256),
  };
}

export interface TestUser {
  aadObjectId: string;
  name: string;
  tenantId: string;
}
export const MEGAN: TestUser = { aadObjectId: USERS.megan, name: 'Megan Bowen', tenantId: TENANTS.contoso };
export const LIWEI: TestUser = { aadObjectId: USERS.liwei, name: '李伟', tenantId: TENANTS.contoso };
export const NANCY: TestUser = { aadObjectId: USERS.nancy, name: 'Nancy Davolio', tenantId: TENANTS.northwind };
export const ADELE: TestUser = { aadObjectId: USERS.adele, name: 'Adele Vance', tenantId: TENANTS.contoso };
export const ALEX: TestUser = { aadObjectId: USERS.alex, name: 'Alex Wilber', tenantId: TENANTS.contoso };
/** Fabrikam's Global Administrator: a partner with GDAP customers. */
export const PATTI: TestUser = { aadObjectId: USERS.patti, name: 'Patti Fernandez', tenantId: TENANTS.fabrikam };

/** A Teams personal-chat activity from a user, as Teams would send it. */
export function teamsActivity(user: TestUser, locale: string, extra: Partial<Activity>): Partial<Activity> {
  return {
    channelId: 'msteams',
    serviceUrl: 'https://smba.example/teams/',
    locale,
    from: { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
    conversation: { id: `a:${user.aadObjectId}`, tenantId: user.tenantId, conversationType: 'personal', isGroup: false, name: '' },
    channelData: { tenant: { id: user.tenantId } },
    ...extra,
  };
}

/** A bot wired as in production but on MemoryStorage (or a given Storage) and a given Graph. */
export function createTestBot(options: {
  graph: LocalTenantServer | TenantDirectory;
  storage?: Storage;
  requests?: RequestRepository;
  now?: () => Date;
  adminRoleTemplateIds?: string[];
  documents?: DocumentStore;
  /** Partners asking for customers (as production wires it): on unless false. */
  partners?: boolean;
  logger?: ReturnType<typeof createLogger>;
}) {
  const storage = options.storage ?? new MemoryStorage();
  const partnerWork: PartnerWork = { queue: new MemoryWorkQueue(), notices: [] };
  const deps = journeyDeps({ ...options, storage, ...(options.partners === false ? {} : { partnerWork }) });
  const requests = deps.requests;
  const documents = options.documents ?? documentsOf(storage);
  const bot = new FastTrackBot({ ...deps, conversationState: new ConversationState(storage), references: new ConversationReferenceStore(documents, deps.clock) });
  const adapter = new TestAdapter((context) => bot.run(context));
  adapter.onTurnError = createTurnErrorHandler(renderer, deps.logger);

  /** Sends one activity and returns what the bot answered (typing indicators left out). */
  async function send(user: TestUser, locale: string, extra: Partial<Activity>): Promise<Partial<Activity>[]> {
    adapter.activeQueue.splice(0);
    await adapter.processActivity(teamsActivity(user, locale, extra));
    return adapter.activeQueue.splice(0).filter((a) => a.type !== 'typing');
  }
  return {
    storage,
    documents,
    requests,
    adapter,
    partnerWork,
    deps,
    send,
    say: (user: TestUser, text: string, locale = 'en-US') => send(user, locale, { type: 'message', text }),
    click: (user: TestUser, value: Record<string, unknown>, locale = 'en-US') => send(user, locale, { type: 'message', value }),
    install: (user: TestUser, locale = 'en-US') => send(user, locale, { type: 'installationUpdate', action: 'add' }),
  };
}

type CardNode = { [key: string]: unknown };

/** Every visible string of the replies: message texts and the texts, titles, facts and values of cards. */
export function visibleText(replies: Partial<Activity>[]): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as CardNode;
      for (const key of ['text', 'title', 'value', 'label']) if (typeof n[key] === 'string') out.push(n[key] as string);
      Object.values(n).forEach(walk);
    }
  };
  for (const reply of replies) {
    if (reply.text) out.push(reply.text);
    walk(reply.attachments?.map((a) => a.content));
  }
  return out.join('\n');
}

/** The first Adaptive Card among the replies whose body has an input or fact with this id/title, or any card. */
export function cards(replies: Partial<Activity>[]): CardNode[] {
  return replies.flatMap((r) => r.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content as CardNode);
}

/** The value of the card action's `data` with this verb. */
export function actionData(card: CardNode, verb: string): Record<string, unknown> {
  const actions = (card.actions ?? []) as CardNode[];
  const action = actions.find((a) => (a.data as CardNode | undefined)?.verb === verb);
  if (!action) throw new Error(`no action with verb ${verb}`);
  return action.data as Record<string, unknown>;
}

/** The inputs of a card by id, with their current value. */
export function inputs(card: CardNode): Record<string, string> {
  const result: Record<string, string> = {};
  for (const element of (card.body ?? []) as CardNode[]) {
    if (typeof element.type === 'string' && element.type.startsWith('Input.') && typeof element.id === 'string') result[element.id] = String(element.value ?? '');
  }
  return result;
}
