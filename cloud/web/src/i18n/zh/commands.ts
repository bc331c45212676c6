import type { Translation } from '../types';

export const commands: Translation<'commands'> = {
  title: 'commands',
};
