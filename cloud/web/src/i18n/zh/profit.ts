import type { Translation } from '../types';

export const profit: Translation<'profit'> = {
  title: '收益',
};
