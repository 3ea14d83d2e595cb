import type { TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from './botbuilderDialogs';
import { z } from 'zod';
import type { CardName, CardRenderer, Strings } from '../cards/cardRenderer';
import type { FieldErrors, Validation, Values } from '../domain/forms';
import type { Logger } from '../logger';
import { ids, userOf } from '../turnIdentity';

/** What a card step starts with; serializable, because it lives in dialog state. */
export interface CardStepOptions {
  /** The inputs' current values (prefilled, or as last entered). */
  values: Values;
  /** Extra data the card shows (e.g. the services offered), passed to the spec. */
  context?: Record<string, unknown>;
  /** The token of a card shown before, to keep that very card valid (shown again after a failed try). */
  token?: string;
  /** Wait on that card without sending it again (it is still in the chat, valid by its token). */
  quiet?: boolean;
}

interface CardStepState extends CardStepOptions {
  token: string;
  errors: FieldErrors;
  /** Who the card was drawn for (their Entra object id): only they may answer it. */
  userId?: string;
}

/** One card that asks for answers: how to draw it and how to check what comes back. */
export interface CardStepSpec<T> {
  card: CardName;
  /** The submit verb of the card's primary action. */
  verb: string;
  /** Card data besides values, errors, token and strings (added by the step). */
  data?(strings: Strings, options: CardStepOptions, locale: string | undefined): Record<string, unknown>;
  validate(value: unknown, options: CardStepOptions, context: TurnContext): Validation<T> | Promise<Validation<T>>;
  /**
   * Before the card is shown again (welcome back, an interruption): new card data when what it
   * offered went stale (e.g. slots offered days ago); undefined keeps the card as it was.
   */
  refresh?(options: CardStepOptions, context: TurnContext): Promise<Record<string, unknown> | undefined>;
}

const submitSchema = z.looseObject({ verb: z.string().max(64), token: z.string().max(32).optional() });

/**
 * Shows a card and waits for its submit. Invalid answers re-show the card with the errors next to
 * the fields and every value kept; anything else (typed text, an old card) gets a reminder and the
 * card again. Ends with the validated result. A token ties a card to its step, so a click on a
 * card from an earlier step is recognised instead of being taken for this one. The step also records
 * who it was drawn for: in a chat of several people, another user's submission (or text) is refused
 * with a message and logged, and the step goes on waiting for its own user.
 */
export class CardStep<T> extends Dialog<CardStepOptions> {
  constructor(
    id: string,
    private readonly deps: { renderer: CardRenderer; random: (size: number) => Uint8Array; logger?: Logger },
    private readonly spec: CardStepSpec<T>,
  ) {
    super(id);
  }

  private get renderer(): CardRenderer {
    return this.deps.renderer;
  }

  /** A fresh card token, from the injected randomness (tests make it deterministic). */
  private token(): string {
    return Buffer.from(this.deps.random(6)).toString('hex');
  }

  override async beginDialog(dc: DialogContext, options?: CardStepOptions): Promise<DialogTurnResult> {
    const userId = userOf(dc.context);
    const state: CardStepState = { values: options?.values ?? {}, context: options?.context ?? {}, token: options?.token ?? this.token(), errors: {}, ...(userId ? { userId } : {}) };
    dc.activeDialog!.state = state;
    if (!options?.quiet) await this.send(dc.context, state);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as CardStepState;
    const activity = dc.context.activity;
    if (activity.type !== 'message') return Dialog.EndOfTurn;
    if (state.userId && userOf(dc.context) !== state.userId) {
      // A card acts only for the user it was sent to: nothing of the step changes.
      this.deps.logger?.warn({ ...ids(dc.context), step: this.id, submission: activity.value !== undefined }, 'card step answered by another user: refused');
      await dc.context.sendActivity(this.renderer.text(activity.locale, (s) => s.requesterSide.cardNotYours));
      return Dialog.EndOfTurn;
    }
    const submit = submitSchema.safeParse(activity.value);
    if (submit.success && submit.data.verb === this.spec.verb && submit.data.token === state.token) {
      const result = await this.spec.validate(activity.value, state, dc.context);
      if (result.ok) return dc.endDialog(result.result);
      state.values = { ...state.values, ...result.values };
      state.errors = result.errors;
      await this.send(dc.context, state);
      return Dialog.EndOfTurn;
    }
    const reminder = submit.success ? (s: Strings) => s.messages.staleCard : (s: Strings) => s.messages.pendingStep;
    await dc.context.sendActivity(this.renderer.text(activity.locale, reminder));
    await this.send(dc.context, state);
    return Dialog.EndOfTurn;
  }

  override async repromptDialog(context: TurnContext, instance: { state: unknown }): Promise<void> {
    const state = instance.state as CardStepState;
    const fresh = await this.spec.refresh?.(state, context);
    if (fresh) {
      // A new token too: a click on the stale copy is then recognised as an old card.
      Object.assign(state, { context: fresh, token: this.token(), errors: {} });
    }
    await this.send(context, state);
  }

  private async send(context: TurnContext, state: CardStepState): Promise<void> {
    const locale = context.activity.locale;
    const strings = this.renderer.strings(locale);
    const errors: Record<string, string> = {};
    for (const field of Object.keys(state.values)) {
      const code = state.errors[field];
      errors[field] = code ? strings.form.errors[code] : '';
    }
    const card = this.renderer.card(this.spec.card, locale, {
      ...(this.spec.data?.(strings, state, locale) ?? {}),
      token: state.token,
      values: state.values,
      errors,
      hasErrors: Object.keys(state.errors).length > 0,
    });
    await context.sendActivity({ attachments: [card] });
  }
}
