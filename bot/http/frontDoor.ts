import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ActivityHandler } from 'botbuilder';
import { errorFields } from '../dialogs/errors';
import type { Logger } from '../logger';
import { parseActivity } from './activity';
import type { FrontDoorAdapter } from './adapter';
import { MAX_ACTIVITY_BYTES, readJsonBody, refusedEncoding } from './body';
import { refusal, type Reply } from './reply';

export interface FrontDoorDeps {
  adapter: FrontDoorAdapter;
  bot: ActivityHandler;
  logger: Logger;
  maxBodyBytes?: number;
}

/**
 * `POST /api/messages`, in the order that keeps a hostile request cheap: the body (plain JSON, at most
 * 512 KB as received) → the activity envelope (400) → the token (401, or 503 when the signing keys
 * cannot be fetched) → the turn. Every refusal has a fixed body and one JSON log line.
 */
export class FrontDoor {
  constructor(private readonly deps: FrontDoorDeps) {}

  async activity(req: IncomingMessage, requestId: string): Promise<Reply> {
    const { adapter, bot, logger } = this.deps;
    const body = await readJsonBody(req, this.deps.maxBodyBytes ?? MAX_ACTIVITY_BYTES);
    if (!body.ok) {
      // The rest of a refused body is never read: the connection closes after the answer.
      const unread = body.refusal.status === 413 || body.refusal.status === 415;
      return this.refuse(requestId, body.refusal.status, { reason: body.refusal.reason }, unread ? { connection: 'close' } : undefined);
    }
    const parsed = parseActivity(body.value);
    if (!parsed.ok) return this.refuse(requestId, 400, { reason: 'invalidActivity', fields: parsed.fields });

    const { activity } = parsed;
    const auth = await adapter.authenticate(activity, req.headers.authorization ?? '');
    if (!auth.ok) {
      const reason = auth.status === 503 ? 'signingKeysUnavailable' : 'tokenRejected';
      return this.refuse(requestId, auth.status, { reason, err: errorFields(auth.error) });
    }

    try {
      const invoke = await adapter.run(auth.result, activity, (context) => bot.run(context));
      return { status: invoke?.status ?? 200, ...(invoke?.body === undefined ? {} : { body: invoke.body }) };
    } catch (error) {
      // onTurnError handles what a turn throws; this is what it could not (or what it threw itself).
      logger.error({ requestId, conversationId: activity.conversation.id, activityId: activity.id, err: errorFields(error) }, 'activity processing failed');
      return refusal(500);
    }
  }

  /** A refusal for a content coding the bot does not accept, before routing and before any body is read. */
  encodingRefusal(headers: IncomingHttpHeaders, requestId: string): Reply | undefined {
    const refused = refusedEncoding(headers);
    return refused && this.refuse(requestId, refused.status, { reason: refused.reason }, { connection: 'close' });
  }

  private refuse(requestId: string, status: number, fields: Record<string, unknown>, headers?: Record<string, string>): Reply {
    this.deps.logger.warn({ requestId, status, ...fields }, 'request refused');
    return refusal(status, headers);
  }
}
