import type { Translation } from '../types';

export const portal: Translation<'portal'> = {
  title: 'portal',
};
