/**
 * The parts of botbuilder-dialogs the bot uses, loaded from their own modules. The package's index also
 * loads every prompt and, through them, the Recognizers-Text suite and globalize (about 190 more modules,
 * some 17 MB of heap in every instance) that no dialog here uses: import dialog classes from this file,
 * not from 'botbuilder-dialogs' (types may still come from there). The version is pinned in package.json.
 */
export { ComponentDialog } from 'botbuilder-dialogs/lib/componentDialog';
export { Dialog, DialogTurnStatus, type DialogTurnResult } from 'botbuilder-dialogs/lib/dialog';
export { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
export { WaterfallDialog } from 'botbuilder-dialogs/lib/waterfallDialog';
export type { DialogContext, DialogState } from 'botbuilder-dialogs/lib/dialogContext';
export type { WaterfallStepContext } from 'botbuilder-dialogs/lib/waterfallStepContext';
