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
export interface Customer {
  id: string;
  name: string;
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
          {sites.data?.sites.map((site) => (
            <option key={site.id} value={site.id}>
              {site.name}
            </option>
          ))}
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
          {customers.data?.customers.map((customer) => (
            <option key={customer.id} value={customer.id}>
              {customer.name}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
