import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { formatHashrate, formatNumber, formatPower, formatTemperature, formatTime } from '../format';
import { useT } from '../i18n';
import { touchesSite, useLiveReload } from '../live';
import { navigate, onLinkClick, setQuery, useLocation } from '../router';
import { ErrorBox, Loading } from '../ui/async';
import { type Scope, useScope, useSiteNames } from '../ui/scope';
import { type Column, VirtualTable } from '../ui/virtual-table';
import { CommandComposer, type CommandTargets } from './command-composer';
import { type MinerRow, minerHref, minerName } from './fleet-types';
import { MinerStatusBadge } from './fleet-ui';
import {
  cleanText,
  fleetFilter,
  listStateToQuery,
  MAX_FILTER_LENGTH,
  MINER_STATUSES,
  type MinerKey,
  type MinerListState,
  type MinerSort,
  mergeRefreshed,
  minerKey,
  minersPath,
  nextSort,
  readListState,
} from './miners-query';

// The first page is small so the table shows quickly; later pages are as large as the cloud allows.
const FIRST_PAGE = 200;
const NEXT_PAGE = 500;
// A live refresh re-reads at most this many rows from the top; rows loaded beyond stay as they were.
const REFRESH_CAP = 1000;
const SEARCH_DEBOUNCE_MS = 300;
// A chosen sort or filter is a step the back button returns from; the search box replaces as one types.
const PUSH = { replace: false };
const LIVE_INTERVAL_MS = 3000;

const rowKey = (row: MinerRow): string => minerKey({ agentId: row.agentId, minerId: row.id });

interface Page {
  miners: MinerRow[];
  nextCursor: string | null;
}

interface Loaded {
  /** Which filter load these rows belong to: a new one starts the table again at the top. */
  generation: number;
  rows: MinerRow[];
  /** Where the next page starts; null when every matching miner is loaded. */
  cursor: string | null;
}

// The browser tests and the README's figure read this mark: once per page load, when rows first reach the DOM.
let firstRowsMarked = false;
function markFirstRows(): void {
  if (firstRowsMarked) return;
  firstRowsMarked = true;
  performance.mark('hashinsight:miners-first-rows');
}

/**
 * The miners matching the state and scope, a page at a time: the first page on every change of filters, the next
 * when asked (scrolling), and a refresh of the top rows for live updates. Replies to an older filter are dropped.
 */
function useMinerList(state: MinerListState, scope: Scope) {
  const identity = minersPath(state, scope, { limit: FIRST_PAGE });
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [moreError, setMoreError] = useState<Error | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);
  // The previous filter's rows stay on screen (marked busy) until the new ones arrive: no flash of empty table.
  const [pending, setPending] = useState(true);
  const generation = useRef(0);
  // One request chain at a time per list: a page and a refresh racing would interleave rows.
  const busy = useRef(false);
  const latest = useRef<Loaded | undefined>(undefined);
  latest.current = loaded;
  const request = useRef({ state, scope });
  request.current = { state, scope };

  const first = useCallback(() => {
    const gen = ++generation.current;
    busy.current = true;
    setPending(true);
    setError(undefined);
    setMoreError(undefined);
    setLoadingMore(false);
    api<Page>(identity)
      .then(
        (page) =>
          gen === generation.current &&
          setLoaded({ generation: gen, rows: page.miners, cursor: page.nextCursor }),
        (failure: Error) => gen === generation.current && setError(failure),
      )
      .finally(() => {
        if (gen !== generation.current) return;
        busy.current = false;
        setPending(false);
      });
  }, [identity]);
  useEffect(first, [first]);

  const loadMore = useCallback(() => {
    const current = latest.current;
    if (busy.current || current?.cursor == null) return;
    const gen = generation.current;
    busy.current = true;
    setLoadingMore(true);
    setMoreError(undefined);
    const { state, scope } = request.current;
    api<Page>(minersPath(state, scope, { limit: NEXT_PAGE, cursor: current.cursor }))
      .then(
        (page) => {
          if (gen !== generation.current) return;
          setLoaded((previous) =>
            previous === undefined
              ? previous
              : { ...previous, rows: [...previous.rows, ...page.miners], cursor: page.nextCursor },
          );
        },
        (failure: Error) => gen === generation.current && setMoreError(failure),
      )
      .finally(() => {
        if (gen !== generation.current) return;
        busy.current = false;
        setLoadingMore(false);
      });
  }, []);

  const refresh = useCallback(async () => {
    const current = latest.current;
    // Still loading: what arrives is fresh already; the next live event comes soon enough.
    if (busy.current || current === undefined) return;
    const gen = generation.current;
    busy.current = true;
    const { state, scope } = request.current;
    const want = Math.min(Math.max(current.rows.length, FIRST_PAGE), REFRESH_CAP);
    const fresh: MinerRow[] = [];
    let cursor: string | null = null;
    try {
      do {
        const page: Page = await api<Page>(
          minersPath(state, scope, { limit: Math.min(NEXT_PAGE, want - fresh.length), cursor }),
        );
        fresh.push(...page.miners);
        cursor = page.nextCursor;
      } while (cursor !== null && fresh.length < want && gen === generation.current);
      if (gen !== generation.current) return;
      setLoaded((previous) => {
        if (previous === undefined) return previous;
        // The refresh reached the end, or covered everything loaded: it is the whole list now.
        if (cursor === null || previous.rows.length <= fresh.length)
          return { ...previous, rows: fresh, cursor };
        return { ...previous, rows: mergeRefreshed(previous.rows, fresh, rowKey) };
      });
    } catch {
      // A failed live refresh keeps the rows shown; the next event tries again.
    } finally {
      if (gen === generation.current) busy.current = false;
    }
  }, []);

  return { loaded, pending, error, moreError, loadingMore, retry: first, loadMore, refresh };
}

type SortableColumn = { sort: MinerSort; label: string };

function SortHeader({ column, state }: { column: SortableColumn; state: MinerListState }) {
  const active = state.sort === column.sort;
  return (
    <button
      type="button"
      onClick={() => setQuery(listStateToQuery({ ...state, ...nextSort(state, column.sort) }), PUSH)}
    >
      {column.label}
      <span aria-hidden="true" class="sort-mark">
        {active ? (state.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}
      </span>
    </button>
  );
}

const ariaSort = (state: MinerListState, sort: MinerSort): 'ascending' | 'descending' | 'none' =>
  state.sort === sort ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none';

/** The search box: typed text reaches the address (and the cloud) after a pause, not on every key. */
function SearchBox({ state }: { state: MinerListState }) {
  const t = useT();
  const [text, setText] = useState(state.q ?? '');
  // What this box last put in the address: its echo must not overwrite what was typed since.
  const sent = useRef(state.q);
  // The address changed from elsewhere (back button, a link, Clear filters): show its search.
  useEffect(() => {
    if (state.q !== sent.current) {
      sent.current = state.q;
      setText(state.q ?? '');
    }
  }, [state.q]);
  useEffect(() => {
    const wanted = cleanText(text);
    if (wanted === state.q) return;
    const timer = setTimeout(() => {
      sent.current = wanted;
      setQuery({ q: wanted });
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <label class="miners-search">
      <span>{t('fleet.search')}</span>
      <input
        type="search"
        value={text}
        maxLength={MAX_FILTER_LENGTH}
        placeholder={t('fleet.searchPlaceholder')}
        onInput={(e) => setText(e.currentTarget.value)}
      />
    </label>
  );
}

function Filters({ state, models }: { state: MinerListState; models: readonly string[] }) {
  const t = useT();
  const filtered = state.status !== undefined || state.model !== undefined || state.q !== undefined;
  return (
    <div class="toolbar miners-filters">
      <SearchBox state={state} />
      <label>
        <span>{t('fleet.status')}</span>
        <select
          value={state.status ?? ''}
          onChange={(e) => setQuery({ status: e.currentTarget.value }, PUSH)}
        >
          <option value="">{t('fleet.allStatuses')}</option>
          {MINER_STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`fleet.status_${status}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('fleet.model')}</span>
        <input
          list="miners-models"
          value={state.model ?? ''}
          maxLength={MAX_FILTER_LENGTH}
          placeholder={t('fleet.anyModel')}
          onChange={(e) => setQuery({ model: cleanText(e.currentTarget.value) }, PUSH)}
        />
        <datalist id="miners-models">
          {models.map((model) => (
            <option key={model} value={model} />
          ))}
        </datalist>
      </label>
      {filtered && (
        <button
          type="button"
          onClick={() => setQuery({ status: undefined, model: undefined, q: undefined }, PUSH)}
        >
          {t('fleet.clearFilters')}
        </button>
      )}
    </div>
  );
}

/** The miner table: sortable, filterable, virtualised for 10,000 miners; selection feeds the command composer. */
export function MinersPage() {
  const t = useT();
  const { query: search } = useLocation();
  const scope = useScope();
  const state = readListState(search);
  const list = useMinerList(state, scope);
  const siteName = useSiteNames();
  const [selected, setSelected] = useState<ReadonlyMap<string, MinerKey>>(new Map());
  const [targets, setTargets] = useState<CommandTargets | undefined>();
  const selectAll = useRef<HTMLInputElement>(null);

  // Another filter is another set of miners: a selection made under the old one must not ride along unseen.
  const filterIdentity = minersPath(state, scope, { limit: 1 });
  useEffect(() => setSelected(new Map()), [filterIdentity]);

  useLiveReload('fleet', () => void list.refresh(), LIVE_INTERVAL_MS, touchesSite(scope.siteId));

  const rows = list.loaded?.rows ?? [];
  // Scrolling re-renders the table only; these walk every loaded row, so only when rows or selection change.
  const allSelected = useMemo(
    () => rows.length > 0 && selected.size >= rows.length && rows.every((row) => selected.has(rowKey(row))),
    [rows, selected],
  );
  const models = useMemo(
    () =>
      [
        ...new Set(
          rows
            .slice(0, 2000)
            .map((row) => row.model)
            .filter(Boolean),
        ),
      ].sort(),
    [rows],
  );
  const someSelected = selected.size > 0 && !allSelected;
  useEffect(() => {
    if (selectAll.current !== null) selectAll.current.indeterminate = someSelected;
  });

  const toggle = (row: MinerRow) => {
    const next = new Map(selected);
    const key = rowKey(row);
    if (next.has(key)) next.delete(key);
    else next.set(key, { agentId: row.agentId, minerId: row.id });
    setSelected(next);
  };
  const toggleAll = () => {
    if (allSelected) return setSelected(new Map());
    setSelected(new Map(rows.map((row) => [rowKey(row), { agentId: row.agentId, minerId: row.id }])));
  };

  const filter = fleetFilter(state, scope);

  const sortable = (sort: MinerSort, label: string) => ({
    header: <SortHeader column={{ sort, label }} state={state} />,
    ariaSort: ariaSort(state, sort),
  });
  const columns: Column<MinerRow>[] = [
    {
      id: 'select',
      width: 44,
      header: (
        <input
          ref={selectAll}
          type="checkbox"
          aria-label={t('fleet.selectAllLoaded')}
          checked={allSelected}
          disabled={rows.length === 0}
          onChange={toggleAll}
        />
      ),
      cell: (row) => (
        <input
          type="checkbox"
          aria-label={t('fleet.selectMiner', { name: minerName(row) })}
          checked={selected.has(rowKey(row))}
          onChange={() => toggle(row)}
        />
      ),
    },
    {
      id: 'miner',
      width: 170,
      header: t('fleet.miner'),
      cell: (row) => (
        <a href={minerHref(row)} onClick={onLinkClick} title={`${row.agentId} / ${row.id}`}>
          {minerName(row)}
        </a>
      ),
    },
    { id: 'ip', width: 130, ...sortable('ip', t('fleet.ip')), cell: (row) => row.ip || '—' },
    { id: 'site', width: 140, header: t('fleet.site'), cell: (row) => siteName(row.siteId) },
    { id: 'model', width: 160, ...sortable('model', t('fleet.model')), cell: (row) => row.model || '—' },
    {
      id: 'status',
      width: 120,
      header: t('fleet.status'),
      cell: (row) => <MinerStatusBadge status={row.status} />,
    },
    {
      id: 'hashrate',
      width: 240,
      ...sortable('hashrate', t('fleet.hashrate')),
      cell: (row) => (
        <span>
          {formatHashrate(row.hashrateMhs)}
          <span class="muted"> / {formatHashrate(row.hashrateExpectedMhs)}</span>
        </span>
      ),
    },
    {
      id: 'temperature',
      width: 120,
      ...sortable('temperature', t('fleet.temperature')),
      cell: (row) => formatTemperature(row.temperatureC),
    },
    { id: 'power', width: 100, header: t('fleet.power'), cell: (row) => formatPower(row.powerW) },
    {
      id: 'lastSeen',
      width: 190,
      ...sortable('lastSeen', t('fleet.lastSeen')),
      cell: (row) => formatTime(row.lastSeenAt),
    },
  ];

  const loaded = list.loaded;
  return (
    <section class="miners" aria-labelledby="miners-title">
      <h1 id="miners-title">{t('fleet.minersTitle')}</h1>
      <Filters state={state} models={models} />
      <div class="toolbar miners-actions">
        <button
          type="button"
          class="primary"
          disabled={selected.size === 0}
          onClick={() => setTargets({ miners: [...selected.values()] })}
        >
          {t('fleet.commandSelected', { n: formatNumber(selected.size) })}
        </button>
        <button
          type="button"
          disabled={Object.keys(filter).length === 0 || rows.length === 0 || list.pending}
          title={Object.keys(filter).length === 0 ? t('fleet.commandFilterNeedsFilter') : undefined}
          onClick={() => setTargets({ filter })}
        >
          {t('fleet.commandFilter')}
        </button>
        {scope.siteId && (
          <button type="button" onClick={() => setTargets({ siteId: scope.siteId as string })}>
            {t('fleet.commandSite')}
          </button>
        )}
        {selected.size > 0 && (
          <button type="button" onClick={() => setSelected(new Map())}>
            {t('fleet.clearSelection')}
          </button>
        )}
      </div>
      <p class="muted miners-count" role="status">
        {list.pending || loaded === undefined
          ? t('common.loading')
          : loaded.cursor === null
            ? t('fleet.loadedAll', { n: formatNumber(loaded.rows.length) })
            : t('fleet.loadedMore', { n: formatNumber(loaded.rows.length) })}
        {selected.size > 0 && ` · ${t('fleet.selectedCount', { n: formatNumber(selected.size) })}`}
      </p>
      {list.error !== undefined ? (
        <ErrorBox error={list.error} onRetry={list.retry} />
      ) : loaded === undefined ? (
        <Loading />
      ) : loaded.rows.length === 0 ? (
        !list.pending && <p>{t('fleet.noMiners')}</p>
      ) : (
        <VirtualTable
          key={loaded.generation}
          busy={list.pending}
          rows={loaded.rows}
          rowKey={rowKey}
          columns={columns}
          label={t('fleet.minersTable')}
          more={loaded.cursor !== null}
          onNearEnd={list.moreError === undefined ? list.loadMore : undefined}
          onRowsRendered={markFirstRows}
          rowClass={(row) => (selected.has(rowKey(row)) ? 'selected' : undefined)}
        />
      )}
      {list.loadingMore && <Loading />}
      {list.moreError !== undefined && <ErrorBox error={list.moreError} onRetry={list.loadMore} />}
      {targets !== undefined && (
        <CommandComposer
          targets={targets}
          onClose={() => setTargets(undefined)}
          onCreated={(id) => {
            setTargets(undefined);
            navigate(`/commands/${encodeURIComponent(id)}`);
          }}
        />
      )}
    </section>
  );
}
