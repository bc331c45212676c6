import type { en } from './en';

/** What a translation of one area must have: every English key of that area, no other. */
export type Translation<A extends keyof typeof en> = { [K in keyof (typeof en)[A]]: string };
