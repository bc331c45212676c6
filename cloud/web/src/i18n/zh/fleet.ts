import type { Translation } from '../types';

export const fleet: Translation<'fleet'> = {
  title: 'fleet',
};
