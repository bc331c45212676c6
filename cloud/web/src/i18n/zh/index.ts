import { admin } from './admin';
import { commands } from './commands';
import { common } from './common';
import { fleet } from './fleet';
import { portal } from './portal';
import { profit } from './profit';

/** 简体中文: the same keys as the English messages, area by area. */
export const zh = { common, fleet, commands, admin, portal, profit };
