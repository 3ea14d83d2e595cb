import type { InvokeResponse, TurnContext } from 'botbuilder';
import { z } from 'zod';
import { fill, type Strings } from '../cards/cardRenderer';
import { MAX_SEARCH_RESULTS, searchTimeZones, type ZoneLabel } from '../domain/timeZones';
import { tenantOf } from '../turnIdentity';
import { errorFields } from './errors';
import type { JourneyDeps } from './journeyDeps';

/** The invoke Teams sends when someone types in a dynamic typeahead (`choices.data` of type `Data.Query`). */
export const SEARCH_INVOKE = 'application/search';
/** The `dataset` of the request form's time zone typeahead. */
export const TIME_ZONE_DATASET = 'timeZones';

const SEARCH_RESPONSE = 'application/vnd.microsoft.search.searchResponse';
const ERROR_RESPONSE = 'application/vnd.microsoft.error';

// What Teams puts in the invoke's value: { queryText, dataset, queryOptions: { skip, top } } (and more, ignored).
const searchValue = z.looseObject({
  queryText: z.string().max(200),
  dataset: z.string().max(100),
  queryOptions: z.looseObject({ skip: z.number().int().min(0).max(10_000).optional(), top: z.number().int().min(0).max(1_000).optional() }).optional(),
});

/** One time zone as a choice: "(UTC+05:30) Kolkata · India Standard Time" in the person's language, the zone id as value. */
export function zoneChoice(s: Strings, label: ZoneLabel): { title: string; value: string } {
  return { title: fill(s.form.timeZoneChoice, { offset: label.offset, city: label.city, name: label.name }), value: label.zone };
}

function results(choices: { title: string; value: string }[]): InvokeResponse {
  return { status: 200, body: { type: SEARCH_RESPONSE, value: { results: choices } } };
}

function failure(status: 400 | 500, code: string, message: string): InvokeResponse {
  return { status, body: { type: ERROR_RESPONSE, value: { code, message } } };
}

/**
 * Answers an `application/search` invoke: the time zone typeahead gets at most 15 zones matching
 * what was typed (id, city, name in the person's language, UTC offset), titled as the form's list
 * is. Another dataset gets no results; a malformed request a 400. Never throws: a typeahead must
 * not turn into an error message in the chat.
 */
export function answerSearchInvoke(context: TurnContext, deps: Pick<JourneyDeps, 'renderer' | 'logger' | 'clock'>): InvokeResponse {
  const where = { tenantId: tenantOf(context), conversationId: context.activity.conversation?.id, activityId: context.activity.id };
  const parsed = searchValue.safeParse(context.activity.value);
  if (!parsed.success) {
    deps.logger.warn({ ...where, issues: parsed.error.issues.map((i) => i.path.join('.') || '(value)') }, 'search invoke refused: malformed value');
    return failure(400, 'BadRequest', 'The search request is malformed.');
  }
  const { queryText, dataset, queryOptions } = parsed.data;
  if (dataset !== TIME_ZONE_DATASET) {
    deps.logger.info({ ...where, dataset: dataset.slice(0, 40) }, 'search invoke for an unknown dataset: no results');
    return results([]);
  }
  try {
    const locale = deps.renderer.resolve(context.activity.locale);
    const strings = deps.renderer.strings(locale);
    const near = typeof context.activity.localTimezone === 'string' ? context.activity.localTimezone.slice(0, 64) : undefined;
    const labels = searchTimeZones(queryText, {
      locale,
      at: deps.clock(),
      skip: queryOptions?.skip ?? 0,
      top: Math.min(queryOptions?.top || MAX_SEARCH_RESULTS, MAX_SEARCH_RESULTS),
      ...(near ? { near } : {}),
    });
    return results(labels.map((label) => zoneChoice(strings, label)));
  } catch (error) {
    deps.logger.error({ ...where, err: errorFields(error) }, 'time zone search failed');
    return failure(500, 'InternalError', 'The search failed.');
  }
}
