import { ContainerClient } from '@azure/storage-blob';
import type { OnboardingRequest } from '../../bot/domain/journey';
import { keys } from '../../bot/domain/request';
import { azuriteConnectionString } from '../../local/azurite';
import { BlobDocumentStore } from '../../bot/storage/documentStore';
import { freshBotEnv, startBotProcess, startPlayground, type BotProcess, type ChatPage } from './harness';

/** A bot process on fresh local storage and a Playground in front of it, as one user of one tenant. */
export async function session(configPath?: string) {
  const env = await freshBotEnv();
  let bot = await startBotProcess({ env: env.env });
  const playground = await startPlayground({ botEndpoint: bot.messagesUrl, ...(configPath ? { configPath } : {}) });
  const connectionString = () => azuriteConnectionString(Number(env.env.AZURITE_BLOB_PORT), Number(env.env.AZURITE_QUEUE_PORT));
  const records = () => new BlobDocumentStore(new ContainerClient(connectionString(), 'records'));
  return {
    env,
    playground,
    get bot(): BotProcess {
      return bot;
    },
    /** The bot dies at once (SIGKILL of its process group: Azurite and the local tenant with it). */
    async crashAndRestart(): Promise<void> {
      await bot.kill({ group: true });
      bot = await startBotProcess({ env: env.env });
    },
    async openRequest(tenantId: string): Promise<OnboardingRequest | undefined> {
      const pointer = await records().get<{ requestId: string | null }>(keys.openRequest(tenantId));
      const requestId = pointer?.value.requestId;
      if (!requestId) return undefined;
      return (await records().get<OnboardingRequest>(keys.request(tenantId, requestId)))?.value;
    },
    /** The local tenant's Graph root for a tenant (the bot process runs it on LOCAL_TENANT_PORT). */
    graph(tenantId: string): string {
      return `http://127.0.0.1:${env.env.LOCAL_TENANT_PORT}/tenants/${tenantId}/v1.0`;
    },
    async stop(): Promise<void> {
      await playground.stop();
      await bot.stop();
      env.cleanup();
    },
  };
}

export const nextYear = `${new Date().getUTCFullYear() + 1}-03-01`;

/** Answers the journey's cards as a Contoso admin would, from the identity card to the request form. */
export async function answerCoreToForm(chat: ChatPage, options: { migration?: boolean } = {}): Promise<void> {
  await chat.waitForCard('Core onboarding: identity and DNS');
  await chat.selectChoice('identityPlan', 'Federate with our identity provider');
  await chat.selectChoice('dnsReady', 'Yes');
  await chat.clickButton('Next', { card: 'Core onboarding: identity and DNS' });
  await answerServicesToForm(chat, options);
}

/** The services card to the submitted form; `migration: false` asks FastTrack for no data migration (a FastTrack Center request, not a Specialist's). */
export async function answerServicesToForm(chat: ChatPage, options: { migration?: boolean } = {}): Promise<void> {
  const migration = options.migration ?? true;
  await chat.waitForCard('Service onboarding and migration');
  await chat.selectChoice('services', ['Exchange Online', 'Microsoft Teams']);
  await chat.fillInput('migration', migration);
  await chat.clickButton('Next', { card: 'Service onboarding and migration' });
  if (migration) {
    await chat.waitForCard('Data migration');
    await chat.selectChoice('emailSource', 'Exchange Server on-premises');
    await chat.fillInput('mailboxes', '1200');
    await chat.fillInput('emailSizeGb', '800');
    await chat.selectChoice('fileSource', 'No files to move');
    await chat.clickButton('Next', { card: 'Data migration' });
  }
  await chat.waitForCard('Request assistance for Microsoft 365');
  await chat.fillInput('launchDate', nextYear);
  await chat.selectChoice('mailSystem', 'Exchange Server on-premises');
  await chat.fillInput('businessReason', 'Retire our Exchange 2016 servers');
  await chat.fillInput('successOwnerName', 'Megan Bowen');
  await chat.fillInput('successOwnerRole', 'CIO');
  await chat.clickButton('Submit request');
  await chat.waitForCard('Request submitted');
}

