import { exitOnStartFailure, runBot } from './run';

/** Production entry point (`node dist/bot/index.js`): no local world, so nothing dev-only is loaded. */
runBot().catch(exitOnStartFailure);
