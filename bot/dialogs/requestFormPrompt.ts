import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { z } from 'zod';
import type { CardRenderer } from '../cards/cardRenderer';
import { SERVICES, validateRequestForm, type FieldError, type RequestForm } from '../domain/request';
import { SUPPORTED_LOCALES } from '../domain/locale';

/** What the form starts with (prefilled from Graph) and the request id its submit carries. */
export interface RequestFormOptions {
  requestId: string;
  values: Record<'contactName' | 'contactEmail' | 'services' | 'preferredLanguage', string>;
}

const submitSchema = z.looseObject({ verb: z.literal('request.submit'), requestId: z.string() });

/**
 * Shows the request form card and waits for its submit. Invalid answers re-show the card with
 * the errors next to the fields and every entered value kept; the dialog ends with the valid form.
 */
export class RequestFormPrompt extends Dialog<RequestFormOptions> {
  constructor(id: string, private readonly renderer: CardRenderer) {
    super(id);
  }

  override async beginDialog(dc: DialogContext, options?: RequestFormOptions): Promise<DialogTurnResult> {
    if (!options) throw new Error('RequestFormPrompt needs options');
    dc.activeDialog!.state = { ...options };
    await this.send(dc, options, []);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as RequestFormOptions;
    const activity = dc.context.activity;
    const submit = submitSchema.safeParse(activity.value);
    if (activity.type !== 'message') return Dialog.EndOfTurn;
    if (!submit.success || submit.data.requestId !== state.requestId) {
      await dc.context.sendActivity(this.renderer.text(activity.locale, (s) => s.form.pending));
      return Dialog.EndOfTurn;
    }
    const result = validateRequestForm(submit.data);
    if (!result.ok) {
      state.values = { ...state.values, ...result.values };
      await this.send(dc, state, result.errors);
      return Dialog.EndOfTurn;
    }
    return dc.endDialog(result.form satisfies RequestForm);
  }

  private async send(dc: DialogContext, options: RequestFormOptions, errors: FieldError[]): Promise<void> {
    const locale = dc.context.activity.locale;
    const strings = this.renderer.strings(locale);
    const errorText = (field: FieldError['field']) => {
      const error = errors.find((e) => e.field === field);
      return error ? strings.form.errors[error.code] : '';
    };
    const card = this.renderer.card('requestForm', locale, {
      requestId: options.requestId,
      hasErrors: errors.length > 0,
      values: options.values,
      errors: {
        contactName: errorText('contactName'),
        contactEmail: errorText('contactEmail'),
        services: errorText('services'),
        preferredLanguage: errorText('preferredLanguage'),
      },
      serviceChoices: SERVICES.map((id) => ({ title: strings.services[id], value: id })),
      languageChoices: SUPPORTED_LOCALES.map((tag) => ({ title: strings.languages[tag], value: tag })),
    });
    await dc.context.sendActivity({ attachments: [card] });
  }
}
