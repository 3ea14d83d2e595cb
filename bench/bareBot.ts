import { BlobsStorage } from 'botbuilder-azure-blobs';
import { ActivityHandler, CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConversationState } from 'botbuilder';
import type { AddressInfo } from 'node:net';
import restify from 'restify';

/**
 * The floor any Teams bot on this storage pays: a bare botbuilder bot (CloudAdapter, ConversationState on
 * botbuilder-azure-blobs' BlobsStorage) that reads and writes its state on every turn and answers one
 * small Adaptive Card, served on restify like the product. No dialogs, no validation, no Graph.
 */
export async function startBareBot(options: { connectionString: string; container: string; port?: number }): Promise<{ port: number; stop(): Promise<void> }> {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const conversationState = new ConversationState(new BlobsStorage(options.connectionString, options.container));
  const progress = conversationState.createProperty<{ turns: number; last?: unknown }>('progress');

  class BareBot extends ActivityHandler {
    constructor() {
      super();
      this.onMessage(async (context, next) => {
        const state = await progress.get(context, { turns: 0 });
        state.turns += 1;
        state.last = context.activity.value ?? context.activity.text;
        const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: `Turn ${state.turns}`, wrap: true }], actions: [{ type: 'Action.Submit', title: 'Next', data: { verb: 'bare.next' } }] };
        await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
        await next();
      });
    }
    override async run(context: Parameters<ActivityHandler['run']>[0]): Promise<void> {
      await super.run(context);
      await conversationState.saveChanges(context, false);
    }
  }
  const bot = new BareBot();

  const server = restify.createServer({ name: 'bare-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  return { port: (server.address() as AddressInfo).port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
