import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The structured logger. Logs carry ids (tenant, conversation, request), never tokens,
 * secrets or message text: the redact list is a safety net, not the policy.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'fasttrack-bot' },
      redact: {
        paths: ['*.authorization', '*.Authorization', '*.token', '*.accessToken', '*.password', '*.secret', '*.text', 'activity.text', 'req.headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
