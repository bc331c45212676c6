import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { query } from '../api';
import { formatHashrate, formatNumber, formatPower, formatTemperature, formatTime } from '../format';
import { type t as translateNow, useT } from '../i18n';
import { touchesSite, useLiveReload } from '../live';
import { navigate, onLinkClick, setQuery, useLocation } from '../router';
import { Async } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { LineChart } from '../ui/line-chart';
import { useSiteNames } from '../ui/scope';
import { StatusBadge } from '../ui/status-badge';
import { useApi } from '../use-api';
import { CommandComposer } from './command-composer';
import { TYPE_LABEL } from './commands-describe';
import type { CommandType, OverallState, TargetState } from './commands-types';
import { CommandStateBadge, TargetStateBadge } from './commands-widgets';
import { type MinerRow, minerName } from './fleet-types';
import { HashrateChart, MinerStatusBadge } from './fleet-ui';

interface Board {
  index: number;
  hashrateMhs: number;
  boardTempC: number | null;
  chipTempC: number | null;
  inletTempC: number | null;
  outletTempC: number | null;
  chips: number;
  chipsExpected: number;
  serial?: string;
}
interface Pool {
  url: string;
  user: string;
  status: 'alive' | 'dead' | 'disabled' | 'unknown';
  active: boolean;
  priority: number;
  accepted: number;
  rejected: number;
  stale: number;
}
interface MinerDetail extends MinerRow {
  boards: Board[];
  fansRpm: number[];
  pools: Pool[];
  errors: { code: string; message: string }[];
}
interface HistoryPoint {
  time: string;
  hashrateMhs: number;
  hashrateExpectedMhs: number;
  powerW: number | null;
  chipTempMaxC: number | null;
  boardTempMaxC: number | null;
}
interface Detail {
  miner: MinerDetail;
  history: { resolution: string; truncated?: boolean; points: HistoryPoint[] };
}
/** GET /api/miners/:agentId/:minerId/events: status changes, and (for staff) its commands' progress. */
type MinerEvent =
  | { at: string; kind: 'status'; from: string; to: string }
  | {
      at: string;
      kind: 'command';
      commandId: string;
      commandType: CommandType;
      state: TargetState;
      detail: string;
    };
interface CommandItem {
  id: string;
  type: CommandType;
  state: OverallState;
  targetCount: number;
  createdBy: string;
  createdAt: string;
}

/** Each resolution with a window that keeps it well under the cloud's 5,000 points per answer. */
const RESOLUTIONS = {
  raw: { hours: 6, stepMs: 60_000 },
  '5m': { hours: 24, stepMs: 300_000 },
  '1h': { hours: 24 * 7, stepMs: 3_600_000 },
  '1d': { hours: 24 * 90, stepMs: 86_400_000 },
} as const;
type Resolution = keyof typeof RESOLUTIONS;
const isResolution = (value: string | null): value is Resolution => value !== null && value in RESOLUTIONS;

const LIVE_MS = 5000;
// Two charts one above the other: flatter than the overview's single one.
const CHART_HEIGHT = 110;
const EVENTS_SHOWN = 50;
const COMMANDS_SHOWN = 20;

function formatUptime(seconds: number | null, t: typeof translateNow): string {
  if (seconds === null || seconds < 0) return '—';
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days > 0
    ? t('fleet.uptimeDays', { d: days, h: hours })
    : t('fleet.uptimeHours', { h: hours, m: minutes });
}

function Facts({ miner }: { miner: MinerDetail }) {
  const t = useT();
  const siteName = useSiteNames();
  const facts: [string, ComponentChildren][] = [
    [t('fleet.status'), <MinerStatusBadge key="status" status={miner.status} />],
    [t('fleet.model'), [miner.vendor, miner.model].filter(Boolean).join(' ') || '—'],
    [t('fleet.firmware'), miner.firmware || '—'],
    [t('fleet.ip'), miner.ip || '—'],
    [t('fleet.mac'), miner.mac || '—'],
    [t('fleet.serial'), miner.serial || '—'],
    [t('fleet.uptime'), formatUptime(miner.uptimeS, t)],
    [
      t('fleet.hashrate'),
      t('fleet.hashrateDetail', {
        now: formatHashrate(miner.hashrateMhs),
        avg: formatHashrate(miner.hashrateAvgMhs),
        expected: formatHashrate(miner.hashrateExpectedMhs),
      }),
    ],
    [t('fleet.power'), formatPower(miner.powerW)],
    [t('fleet.temperature'), formatTemperature(miner.temperatureC)],
    [t('fleet.site'), siteName(miner.siteId)],
    [t('fleet.agent'), miner.agentId],
    [t('fleet.lastSample'), formatTime(miner.lastSampleAt)],
    [t('fleet.lastSeen'), formatTime(miner.lastSeenAt)],
    [t('fleet.firstSeen'), formatTime(miner.firstSeenAt)],
  ];
  return (
    <dl class="card facts">
      {facts.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
      {miner.pollError && (
        <div class="miner-poll-error">
          <dt>{t('fleet.pollError')}</dt>
          <dd>{miner.pollError}</dd>
        </div>
      )}
    </dl>
  );
}

function Boards({ boards }: { boards: Board[] }) {
  const t = useT();
  return (
    <DataTable
      caption={t('fleet.boards')}
      columns={[
        t('fleet.board'),
        t('fleet.hashrate'),
        t('fleet.chips'),
        t('fleet.chipTemp'),
        t('fleet.boardTemp'),
        t('fleet.inletOutlet'),
      ]}
      items={boards}
      empty={t('fleet.noBoards')}
      row={(board) => (
        <tr key={board.index}>
          <th scope="row">{board.index}</th>
          <td>{formatHashrate(board.hashrateMhs)}</td>
          <td class={board.chips < board.chipsExpected ? 'warn' : undefined}>
            {board.chipsExpected > 0
              ? t('fleet.chipsOf', { n: board.chips, expected: board.chipsExpected })
              : board.chips > 0
                ? formatNumber(board.chips)
                : '—'}
          </td>
          <td>{formatTemperature(board.chipTempC)}</td>
          <td>{formatTemperature(board.boardTempC)}</td>
          <td>
            {formatTemperature(board.inletTempC)} / {formatTemperature(board.outletTempC)}
          </td>
        </tr>
      )}
    />
  );
}

function Fans({ fans }: { fans: number[] }) {
  const t = useT();
  if (fans.length === 0) return <p class="muted">{t('fleet.noFans')}</p>;
  return (
    <ul class="miner-fans">
      {fans.map((rpm, i) => (
        <li key={i} class={rpm === 0 ? 'warn' : undefined}>
          {t('fleet.fanRpm', { n: i + 1, rpm: formatNumber(rpm) })}
        </li>
      ))}
    </ul>
  );
}

function Pools({ pools }: { pools: Pool[] }) {
  const t = useT();
  return (
    <DataTable
      caption={t('fleet.pools')}
      columns={[
        t('fleet.poolPriority'),
        t('fleet.poolUrl'),
        t('fleet.poolUser'),
        t('fleet.status'),
        t('fleet.poolActive'),
        t('fleet.poolShares'),
      ]}
      items={pools}
      empty={t('fleet.noPools')}
      row={(pool) => (
        <tr key={`${pool.priority}:${pool.url}`}>
          <td>{pool.priority}</td>
          <td class="wrap">{pool.url}</td>
          <td class="wrap">{pool.user}</td>
          <td>
            <StatusBadge
              status={pool.status === 'alive' ? 'ok' : pool.status === 'dead' ? 'failed' : 'unknown'}
              label={t(`fleet.pool_${pool.status}`)}
            />
          </td>
          <td>{pool.active ? t('fleet.yes') : t('fleet.no')}</td>
          <td>
            {t('fleet.shares', {
              accepted: formatNumber(pool.accepted),
              rejected: formatNumber(pool.rejected),
              stale: formatNumber(pool.stale),
            })}
          </td>
        </tr>
      )}
    />
  );
}

function Charts({ detail, resolution }: { detail: Detail; resolution: Resolution }) {
  const t = useT();
  const points = detail.history.points.map((p) => ({
    ...p,
    t: Date.parse(p.time),
    expectedMhs: p.hashrateExpectedMhs,
  }));
  return (
    <section class="card miner-charts" aria-labelledby="miner-history-title">
      <div class="overview-chart-head">
        <h2 id="miner-history-title">{t('fleet.history')}</h2>
        <label>
          <span>{t('fleet.resolution')}</span>
          <select value={resolution} onChange={(e) => setQuery({ resolution: e.currentTarget.value })}>
            {(Object.keys(RESOLUTIONS) as Resolution[]).map((key) => (
              <option key={key} value={key}>
                {t(`fleet.resolution_${key}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {detail.history.truncated && <p class="muted">{t('fleet.historyTruncated')}</p>}
      <h3>{t('fleet.hashrate')}</h3>
      <HashrateChart
        points={points}
        height={CHART_HEIGHT}
        summary={t('fleet.minerHashrateSummary', { n: formatNumber(points.length) })}
      />
      <h3>{t('fleet.temperature')}</h3>
      <LineChart
        series={[
          {
            label: t('fleet.chipTemp'),
            color: 'var(--chart-3)',
            points: points.map((p) => ({ t: p.t, v: p.chipTempMaxC })),
          },
          {
            label: t('fleet.boardTemp'),
            color: 'var(--chart-2)',
            points: points.map((p) => ({ t: p.t, v: p.boardTempMaxC })),
          },
        ]}
        format={formatTemperature}
        height={CHART_HEIGHT}
        summary={t('fleet.minerTemperatureSummary', { n: formatNumber(points.length) })}
      />
    </section>
  );
}

function Events({ path }: { path: string }) {
  const t = useT();
  const events = useApi<{ events: MinerEvent[]; truncated?: boolean }>(
    `${path}/events${query({ limit: EVENTS_SHOWN })}`,
  );
  // Status changes come with telemetry (rarely worth more than a reload in 30 s); command progress is quicker.
  useLiveReload('fleet', events.reload, LIVE_MS * 6);
  useLiveReload('command', events.reload, LIVE_MS);
  return (
    <section aria-labelledby="miner-events-title">
      <h2 id="miner-events-title">{t('fleet.events')}</h2>
      <Async data={events.data} error={events.error} reload={events.reload}>
        {({ events: list }) => (
          <DataTable
            caption={t('fleet.events')}
            columns={[t('fleet.eventTime'), t('fleet.eventKind'), t('fleet.eventChange')]}
            items={list}
            empty={t('fleet.noEvents')}
            row={(event, i) => (
              <tr key={`${event.at}:${i}`}>
                <td>{formatTime(event.at)}</td>
                <td>{t(`fleet.event_${event.kind}`)}</td>
                <td class="wrap">
                  {event.kind === 'status' ? (
                    <>
                      <MinerStatusBadge status={event.from} /> → <MinerStatusBadge status={event.to} />
                    </>
                  ) : (
                    <>
                      <a href={`/commands/${encodeURIComponent(event.commandId)}`} onClick={onLinkClick}>
                        {t(TYPE_LABEL[event.commandType])}
                      </a>{' '}
                      <TargetStateBadge state={event.state} />
                      {event.detail && <span> {event.detail}</span>}
                    </>
                  )}
                </td>
              </tr>
            )}
          />
        )}
      </Async>
    </section>
  );
}

function Commands({ agentId, minerId }: { agentId: string; minerId: string }) {
  const t = useT();
  const commands = useApi<{ commands: CommandItem[] }>(
    `/api/commands${query({ agentId, minerId, limit: COMMANDS_SHOWN })}`,
  );
  useLiveReload('command', commands.reload, LIVE_MS);
  return (
    <section aria-labelledby="miner-commands-title">
      <h2 id="miner-commands-title">{t('fleet.minerCommands')}</h2>
      <Async data={commands.data} error={commands.error} reload={commands.reload}>
        {({ commands: list }) => (
          <DataTable
            caption={t('fleet.minerCommands')}
            columns={[
              t('fleet.commandCreated'),
              t('fleet.commandType'),
              t('fleet.status'),
              t('fleet.commandTargets'),
            ]}
            items={list}
            empty={t('fleet.noCommands')}
            row={(command) => (
              <tr key={command.id}>
                <td>
                  <a href={`/commands/${encodeURIComponent(command.id)}`} onClick={onLinkClick}>
                    {formatTime(command.createdAt)}
                  </a>
                </td>
                <td>{t(TYPE_LABEL[command.type])}</td>
                <td>
                  <CommandStateBadge state={command.state} />
                </td>
                <td>{formatNumber(command.targetCount)}</td>
              </tr>
            )}
          />
        )}
      </Async>
    </section>
  );
}

/** One miner: boards, fans, pools, temperature and hashrate history, recent events, its commands. */
export function MinerDetailPage({ agentId, minerId }: { agentId: string; minerId: string }) {
  const t = useT();
  const { query: search } = useLocation();
  const wanted = search.get('resolution');
  const resolution: Resolution = isResolution(wanted) ? wanted : '5m';
  const { hours, stepMs } = RESOLUTIONS[resolution];
  // Rounded to the resolution's step, so live reloads ask for the same window until a new step begins.
  const from = new Date(Math.floor((Date.now() - hours * 3_600_000) / stepMs) * stepMs).toISOString();
  const path = `/api/miners/${encodeURIComponent(agentId)}/${encodeURIComponent(minerId)}`;
  const detail = useApi<Detail>(`${path}${query({ resolution, from })}`);
  const [composing, setComposing] = useState(false);
  useLiveReload('fleet', detail.reload, LIVE_MS, touchesSite(detail.data?.miner.siteId));

  return (
    <section class="miner-detail" aria-labelledby="miner-title">
      <p>
        <a href="/miners" onClick={onLinkClick}>
          {t('fleet.backToMiners')}
        </a>
      </p>
      <Async data={detail.data} error={detail.error} reload={detail.reload}>
        {({ miner, history }) => (
          <>
            <div class="miner-head">
              <h1 id="miner-title">{minerName(miner)}</h1>
              <MinerStatusBadge status={miner.status} />
              <button type="button" class="primary" onClick={() => setComposing(true)}>
                {t('fleet.commandMiner')}
              </button>
            </div>
            <Facts miner={miner} />
            {miner.errors.length > 0 && (
              <section aria-labelledby="miner-errors-title">
                <h2 id="miner-errors-title">{t('fleet.minerErrors')}</h2>
                <ul class="miner-errors">
                  {miner.errors.map((error) => (
                    <li key={`${error.code}:${error.message}`}>
                      <code>{error.code}</code> {error.message}
                    </li>
                  ))}
                </ul>
              </section>
            )}
            <Charts detail={{ miner, history }} resolution={resolution} />
            <div class="miner-grid">
              <section aria-labelledby="miner-boards-title">
                <h2 id="miner-boards-title">{t('fleet.boards')}</h2>
                <Boards boards={miner.boards} />
              </section>
              <section aria-labelledby="miner-fans-title">
                <h2 id="miner-fans-title">{t('fleet.fans')}</h2>
                <Fans fans={miner.fansRpm} />
              </section>
            </div>
            <section aria-labelledby="miner-pools-title">
              <h2 id="miner-pools-title">{t('fleet.pools')}</h2>
              <Pools pools={miner.pools} />
            </section>
            <Events path={path} />
            <Commands agentId={agentId} minerId={minerId} />
          </>
        )}
      </Async>
      {composing && (
        <CommandComposer
          targets={{ miners: [{ agentId, minerId }] }}
          onClose={() => setComposing(false)}
          onCreated={(id) => {
            setComposing(false);
            navigate(`/commands/${encodeURIComponent(id)}`);
          }}
        />
      )}
    </section>
  );
}
