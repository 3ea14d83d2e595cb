import { ActivityHandler, type TurnContext } from 'botbuilder';

/**
 * An ActivityHandler whose real handler is built on the first turn. The conversation side (the
 * router, handlers and dialogs, with botbuilder-dialogs) is about a third of the bot's module
 * loading, and nothing before listening needs it: `/healthz` answers without it, and the first
 * turn waits for it once (a few hundred ms on a cold instance).
 */
export class LazyHandler extends ActivityHandler {
  private loading: Promise<ActivityHandler> | undefined;

  constructor(private readonly build: () => Promise<ActivityHandler>) {
    super();
  }

  /** Builds the real handler (once; a failed build is tried again on the next turn). */
  load(): Promise<ActivityHandler> {
    this.loading ??= this.build().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  override async run(context: TurnContext): Promise<void> {
    const handler = await this.load();
    await handler.run(context);
  }
}
