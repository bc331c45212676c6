import { useMemo } from 'preact/hooks';
import { useIsAdmin } from '../auth';
import { useApi } from '../use-api';

/**
 * Emails of the tenant's users by id, so "requested by" and the audit log name a person. Only admins may list users; others see
 * "you" for themselves and the id for anyone else.
 */
export function useUserEmails(): ReadonlyMap<string, string> {
  const admin = useIsAdmin();
  const users = useApi<{ users: { id: string; email: string }[] }>(
    admin ? '/api/users?limit=200' : undefined,
  );
  return useMemo(() => new Map((users.data?.users ?? []).map((user) => [user.id, user.email])), [users.data]);
}
