import { exitOnStartFailure, runBot } from '../bot/run';
import { localWorld } from './backends';

/** `npm start`: the bot on its zero-config local defaults (the local tenant and Azurite when nothing else is configured). */
runBot(localWorld).catch(exitOnStartFailure);
