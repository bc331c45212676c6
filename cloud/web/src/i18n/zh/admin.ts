import type { Translation } from '../types';

export const admin: Translation<'admin'> = {
  title: 'admin',
};
