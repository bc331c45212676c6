import type { CommandPage } from './commands-types';

// The commands list pages by cursor (ids are sortable, newest first) and reloads only its first page on a live
// event. Merging that page into what is on screen keeps the pages the operator already loaded without showing a
// row twice or one that left the filter.

/**
 * The list after a fresh first page: the fresh rows, then the loaded rows older than all of them (they were
 * beyond that page). When the fresh page is the whole list, it replaces everything.
 */
export function mergeFirstPage(loaded: CommandPage, fresh: CommandPage): CommandPage {
  const oldest = fresh.commands.at(-1)?.id;
  if (fresh.nextCursor === null || oldest === undefined) return fresh;
  const older = loaded.commands.filter((command) => command.id < oldest);
  // The loaded cursor still points past the last loaded row; with nothing older loaded, the fresh one does.
  return older.length === 0
    ? fresh
    : { commands: [...fresh.commands, ...older], nextCursor: loaded.nextCursor };
}

/** The next page appended; a row already shown (the list moved between two loads) is not repeated. */
export function appendPage(loaded: CommandPage, next: CommandPage): CommandPage {
  const seen = new Set(loaded.commands.map((command) => command.id));
  return {
    commands: [...loaded.commands, ...next.commands.filter((command) => !seen.has(command.id))],
    nextCursor: next.nextCursor,
  };
}
