import type { TurnContext } from 'botbuilder';
import { tenantOf } from '../turnIdentity';
import { errorFields } from './errors';
import type { JourneyDeps } from './journeyDeps';
import { graphFailureText } from './tenantCheck';

/**
 * Only admins request: checks through Graph that the user holds one of the accepted directory
 * roles. Anyone else is told why and who their tenant's admins are. Returns the tenant id when
 * the user may go on; otherwise it has already answered the user.
 */
export async function requireAdmin(context: TurnContext, deps: JourneyDeps): Promise<{ tenantId: string; userId: string } | undefined> {
  const { renderer, directory } = deps;
  const locale = context.activity.locale;
  const tenantId = tenantOf(context);
  const userId = context.activity.from?.aadObjectId;
  if (!tenantId || !userId) {
    await context.sendActivity(renderer.text(locale, (s) => s.messages.noTenant));
    return undefined;
  }
  await context.sendActivity({ type: 'typing' });
  try {
    const roles = await directory.getDirectoryRoleTemplateIds(tenantId, userId);
    if (roles.some((r) => deps.adminRoleTemplateIds.includes(r.toLowerCase()))) return { tenantId, userId };
    const admins = (await Promise.all(deps.adminRoleTemplateIds.map((role) => directory.getRoleMembers(tenantId, role)))).flat();
    const unique = [...new Map(admins.map((a) => [a.id, a])).values()];
    deps.logger.info({ tenantId, conversationId: context.activity.conversation?.id }, 'request refused: user holds no accepted admin role');
    await context.sendActivity({
      attachments: [
        renderer.card('notAdmin', locale, {
          admins: unique.map((a) => ({ title: a.displayName, value: a.mail ?? '' })),
          hasAdmins: unique.length > 0,
        }),
      ],
    });
    return undefined;
  } catch (error) {
    deps.logger.warn({ tenantId, err: errorFields(error) }, 'admin check failed');
    await context.sendActivity(renderer.text(locale, graphFailureText(error)));
    return undefined;
  }
}
