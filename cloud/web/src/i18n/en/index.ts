import { admin } from './admin';
import { commands } from './commands';
import { common } from './common';
import { fleet } from './fleet';
import { portal } from './portal';
import { profit } from './profit';

/** The English messages, one file per area of the console (each owned with its pages). */
export const en = { common, fleet, commands, admin, portal, profit };
