import { useMemo } from 'preact/hooks';
import { useT } from '../i18n';
import { createStore, useStore } from '../store';
import { useApi } from '../use-api';

/**
 * The operator's view of the fleet: all of it, one site, and/or one hosting client (a customer: the tenants of our
 * tenant's hosting business). Every fleet page reads it; it is kept per browser.
 */
export interface Scope {
  siteId?: string;
  customerId?: string;
}

const KEY = 'hashinsight.scope';

function load(): Scope {
  try {
    return JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '{}') as Scope;
  } catch {
    return {};
  }
}

export const scope = createStore<Scope>(load());
scope.subscribe((value) => globalThis.localStorage?.setItem(KEY, JSON.stringify(value)));

export const useScope = (): Scope => useStore(scope);

export interface Site {
  id: string;
  name: string;
  minerCount?: number;
  agentCount?: number;
}
/** Site names by id, for what carries only the id: the name, else the id itself; '—' for no site. */
export function siteNames(sites: readonly Site[] | undefined): (id: string | null | undefined) => string {
  const names = new Map(sites?.map((site) => [site.id, site.name]));
  return (id) => (id ? (names.get(id) ?? id) : '—');
}

/** siteNames over GET /api/sites, for a page that has no site list of its own. */
export function useSiteNames(): (id: string | null | undefined) => string {
  const sites = useApi<{ sites: Site[] }>('/api/sites');
  return useMemo(() => siteNames(sites.data?.sites), [sites.data]);
}

export interface Customer {
  id: string;
  name: string;
}

/** The <option>s of a site or hosting-client picker: value the id, text the name. */
export function NamedOptions({ items }: { items: readonly { id: string; name: string }[] | undefined }) {
  return (
    <>
      {items?.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name}
        </option>
      ))}
    </>
  );
}

/** The site and hosting-client pickers in the console header. */
export function ScopeSwitcher() {
  const t = useT();
  const current = useScope();
  const sites = useApi<{ sites: Site[] }>('/api/sites');
  const customers = useApi<{ customers: Customer[] }>('/api/customers');
  return (
    <div class="scope">
      <label>
        <span>{t('common.scopeSite')}</span>
        <select
          value={current.siteId ?? ''}
          onChange={(e) => scope.set({ ...current, siteId: (e.currentTarget.value || undefined) as string })}
        >
          <option value="">{t('common.allSites')}</option>
          <NamedOptions items={sites.data?.sites} />
        </select>
      </label>
      <label>
        <span>{t('common.scopeCustomer')}</span>
        <select
          value={current.customerId ?? ''}
          onChange={(e) =>
            scope.set({ ...current, customerId: (e.currentTarget.value || undefined) as string })
          }
        >
          <option value="">{t('common.allCustomers')}</option>
          <NamedOptions items={customers.data?.customers} />
        </select>
      </label>
    </div>
  );
}
