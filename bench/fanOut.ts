import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { CardRenderer } from '../bot/cards/cardRenderer';
import { FrontDoorAdapter } from '../bot/http/adapter';
import { ConversationReferenceStore, type ProactiveReference } from '../bot/notifications/conversationReferences';
import { createNoticeKinds, type Notice } from '../bot/notifications/notice';
import { AdapterSender, LimitedSender, TEAMS_CONVERSATION_LIMITS } from '../bot/notifications/sender';
import { BlobDocumentStore } from '../bot/storage/documentStore';
import { startAzurite } from '../local/azurite';
import { startTeamsConnector } from '../test/helpers/teamsConnector';
import { ContainerClient } from '@azure/storage-blob';

export interface FanOutResult {
  notices: number;
  conversations: number;
  tenantPerSecond: number;
  seconds: number;
  achievedPerSecond: number;
  /** Achieved rate ÷ allowed rate (target ≥ 0.95). */
  ratio: number;
  lost: number;
  /** Sends that ended in an error (after their retries). */
  failedSends: number;
  duplicated: number;
  /** 429s the connector answered (the limiter should leave it none to answer). */
  throttled: number;
  peakRssMb: number;
}

/**
 * Fan-out of one reminder-like notice to each of `count` conversations, through the real
 * LimitedSender (Teams' per-conversation windows and the per-tenant ceiling) and AdapterSender
 * (CloudAdapter.continueConversationAsync) to the local connector enforcing the same limits. The
 * references are stored and read back through ConversationReferenceStore on Azurite first (not timed).
 */
export async function benchFanOut(count = 10_000, tenantPerSecond = 50): Promise<FanOutResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-fanout-'));
  const [azurite, connector] = await Promise.all([
    startAzurite({ location: dir, blobPort: 0, queuePort: 0 }),
    startTeamsConnector({ conversationLimits: [...TEAMS_CONVERSATION_LIMITS], tenantPerSecond, countOnly: true }),
  ]);
  try {
    const container = new ContainerClient(azurite.connectionString, 'fanout');
    await container.createIfNotExists();
    const references = new ConversationReferenceStore(new BlobDocumentStore(container));
    const tenantId = '9188040d-6c67-4c5b-b112-36a304b66dad';
    const userIds = Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const stored: ProactiveReference[] = [];
    for (let i = 0; i < count; i += 100) {
      const slice = userIds.slice(i, i + 100);
      await Promise.all(
        slice.map((userId) =>
          references.refresh({
            type: 'message',
            channelId: 'msteams',
            serviceUrl: connector.url,
            locale: 'en-US',
            from: { id: `29:${userId}`, name: '', aadObjectId: userId },
            recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
            conversation: { id: `a:${userId}`, tenantId, conversationType: 'personal', isGroup: false, name: '' },
            channelData: { tenant: { id: tenantId } },
          }),
        ),
      );
      const read = await Promise.all(slice.map((userId) => references.get({ tenantId, userId })));
      for (const r of read) if (r) stored.push(r.reference);
    }
    if (stored.length !== count) throw new Error(`stored ${stored.length} of ${count} references`);

    const kinds = createNoticeKinds(CardRenderer.load());
    const sender = new LimitedSender(new AdapterSender(new FrontDoorAdapter(new ConfigurationBotFrameworkAuthentication({})), ''), { tenantPerSecond });
    let failed = 0;
    const t0 = performance.now();
    // A producer like the dispatcher: a bounded number of sends in flight (4 s of the ceiling), not 10,000 at once.
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < stored.length; i = next++) {
        const notice = { id: `reminder:FT-BENCH:${i}:1h`, tenantId, userId: userIds[i]!, kind: 'text', params: { key: 'requestReceived', values: { requestId: 'FT-7K3M9Q2X' } } } as Notice;
        await sender.send(stored[i]!, kinds.render(notice, 'en-US')).catch(() => void failed++);
      }
    };
    await Promise.all(Array.from({ length: Math.min(stored.length, 4 * tenantPerSecond) }, worker));
    const seconds = (performance.now() - t0) / 1000;
    let delivered = 0;
    let duplicated = 0;
    for (const n of connector.received.values()) {
      delivered++;
      duplicated += n - 1;
    }
    const achievedPerSecond = count / seconds;
    return {
      notices: count,
      conversations: connector.received.size,
      tenantPerSecond,
      seconds,
      achievedPerSecond,
      ratio: achievedPerSecond / tenantPerSecond,
      lost: count - delivered,
      failedSends: failed,
      duplicated,
      throttled: connector.throttled.length,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await Promise.all([azurite.stop(), connector.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatFanOut(r: FanOutResult): string {
  return (
    `fan-out of ${r.notices} notices to ${r.conversations} conversations at ${r.tenantPerSecond}/s per tenant: ${r.seconds.toFixed(1)} s, ` +
    `${r.achievedPerSecond.toFixed(1)}/s = ${r.ratio.toFixed(3)} of the allowed rate (target ≥ 0.95); lost ${r.lost}, duplicated ${r.duplicated} (target 0), failed sends ${r.failedSends}; ` +
    `429s answered ${r.throttled}; peak RSS ${r.peakRssMb.toFixed(0)} MB`
  );
}

if (require.main === module) {
  benchFanOut(Number(process.env.FANOUT_COUNT ?? 10_000), Number(process.env.FANOUT_TENANT_RATE ?? 50)).then((r) => console.log(formatFanOut(r)));
}
