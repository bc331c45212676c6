import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { isStaff, type Session, session } from './auth';
import { useT } from './i18n';
import { AgentsPage } from './pages/agents';
import { ApprovalsPage } from './pages/approvals';
import { AuditPage } from './pages/audit';
import { CommandDetailPage } from './pages/command-detail';
import { CommandsPage } from './pages/commands';
import { CredentialsPage } from './pages/credentials';
import { LoginPage } from './pages/login';
import { MinerDetailPage } from './pages/miner-detail';
import { MinersPage } from './pages/miners';
import { OverviewPage } from './pages/overview';
import { PortalPage } from './pages/portal';
import { PortalKeysPage } from './pages/portal-keys';
import { ProfitabilityPage } from './pages/profitability';
import { matchPath, navigate, useLocation } from './router';
import { useStore } from './store';
import { Layout } from './ui/layout';

interface Route {
  pattern: string;
  /** Who may open it; the cloud enforces the same with the route permissions, this only hides what would 403. */
  for: 'staff' | 'customer' | 'everyone';
  render: (params: Record<string, string>) => ComponentChildren;
}

const ROUTES: readonly Route[] = [
  { pattern: '/', for: 'staff', render: () => <OverviewPage /> },
  { pattern: '/miners', for: 'staff', render: () => <MinersPage /> },
  {
    pattern: '/miners/:agentId/:minerId',
    for: 'staff',
    render: (p) => <MinerDetailPage agentId={p.agentId as string} minerId={p.minerId as string} />,
  },
  { pattern: '/commands', for: 'staff', render: () => <CommandsPage /> },
  { pattern: '/commands/:id', for: 'staff', render: (p) => <CommandDetailPage id={p.id as string} /> },
  { pattern: '/approvals', for: 'staff', render: () => <ApprovalsPage /> },
  { pattern: '/agents', for: 'staff', render: () => <AgentsPage /> },
  { pattern: '/credentials', for: 'staff', render: () => <CredentialsPage /> },
  { pattern: '/audit', for: 'staff', render: () => <AuditPage /> },
  { pattern: '/profitability', for: 'everyone', render: () => <ProfitabilityPage /> },
  { pattern: '/portal', for: 'customer', render: () => <PortalPage /> },
  { pattern: '/portal/keys', for: 'customer', render: () => <PortalKeysPage /> },
];

const allowed = (route: Route, current: Session) =>
  route.for === 'everyone' || (route.for === 'staff' ? isStaff(current.role) : current.role === 'customer');

/** The page for the address bar, or the login when nobody is signed in. */
export function App() {
  const t = useT();
  const current = useStore(session);
  const { path } = useLocation();
  // A hosting client's home is the portal, not the operator overview.
  const home = current !== null && !isStaff(current.role) && path === '/';
  useEffect(() => {
    if (home) navigate('/portal', { replace: true });
  }, [home]);
  if (current === null) return <LoginPage />;
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path);
    if (params !== undefined && allowed(route, current)) {
      return <Layout current={current}>{route.render(params)}</Layout>;
    }
  }
  return (
    <Layout current={current}>
      <p>{t('common.notFound')}</p>
    </Layout>
  );
}
