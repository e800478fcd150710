// The migrations grid: every migration of the service or of one target server, Active or All, refreshed every 5 s.
import * as api from './api.js';
import {h, cardTable, field, replace, scrollTable} from './dom.js';
import * as fmt from './format.js';
import {detailsHref, durationMs, mode, option, sourceLabel, startTime, stateBadge, status, targetLabel} from './views.js';

const REFRESH_MS = 5000;

export function showMigrations(main, query) {
  document.title = 'Migrations - pgmigrate portal';
  let filter = query.get('filter') === 'All' ? 'All' : 'Active';
  let server = query.get('server') || '';
  let timer = null;
  let stopped = false;

  const serverSelect = h('select', {attrs: {name: 'server'}},
    h('option', {attrs: {value: ''}, text: 'All target servers'}));
  const serverField = field('Target server', serverSelect);
  const filterGroup = h('fieldset', {class: 'segmented'},
    h('legend', {text: 'Show'}),
    ['Active', 'All'].map((f) => {
      const input = h('input', {attrs: {type: 'radio', name: 'filter', value: f, id: `filter-${f}`},
        props: {checked: f === filter}, on: {change: () => {
          filter = f;
          remember();
          load();
        }}});
      return h('span', {class: 'segment'}, input, h('label', {attrs: {for: `filter-${f}`}, text: f}));
    }));
  const updated = h('p', {class: 'updated', attrs: {'aria-live': 'off'}});
  const refresh = h('button', {attrs: {type: 'button'}, text: 'Refresh', on: {click: () => load()}});
  const error = h('p', {class: 'form-error', attrs: {role: 'alert'}});
  const body = h('div', {id: 'grid'});

  serverSelect.addEventListener('change', () => {
    server = serverSelect.value;
    remember();
    load();
  });

  replace(main,
    h('div', {class: 'page-head'},
      h('h1', {text: 'Migrations'}),
      h('a', {class: 'button primary', attrs: {href: '#/create'}, text: 'Create migration'})),
    h('div', {class: 'toolbar'}, serverField, filterGroup, h('div', {class: 'toolbar-end'}, updated, refresh)),
    error, body);

  function remember() {
    const q = new URLSearchParams();
    if (filter === 'All') q.set('filter', 'All');
    if (server) q.set('server', server);
    const hash = `#/migrations${q.toString() ? `?${q}` : ''}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  async function loadServers() {
    try {
      const servers = await api.allFlexibleServers();
      const ids = new Map();
      for (const s of servers.value) ids.set(s.id.toLowerCase(), s.id);
      fillServers(ids);
    } catch (e) {
      // the grid still works for all servers
    }
  }

  function fillServers(ids) {
    const known = new Set([...serverSelect.options].map((o) => o.value.toLowerCase()));
    for (const [lower, id] of ids) {
      if (known.has(lower)) continue;
      const p = api.parseId(id);
      serverSelect.appendChild(h('option', {attrs: {value: id},
        text: `${p.server} (${p.resourceGroup})`}));
    }
    serverSelect.value = server;
  }

  async function load() {
    clearTimeout(timer);
    try {
      let list;
      if (server) {
        list = await api.list(`${api.path(server)}/migrations`, {migrationListFilter: filter});
      } else {
        list = await api.allMigrations(filter);
      }
      if (stopped) return;
      error.textContent = '';
      const targets = new Map();
      for (const m of list.value) {
        const id = m.properties.targetDbServerResourceId || m.id.replace(/\/migrations\/[^/]+$/, '');
        targets.set(id.toLowerCase(), id);
      }
      fillServers(targets);
      render(list.value);
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      if (stopped) return;
      error.textContent = e.message;
    }
    if (!stopped) timer = setTimeout(load, REFRESH_MS);
  }

  function render(migrations) {
    if (migrations.length === 0) {
      replace(body, h('p', {class: 'empty', text: filter === 'Active'
        ? 'No active migrations. Create one, or show All to see finished ones.' : 'No migrations yet.'}));
      return;
    }
    const rows = [...migrations].sort((a, b) => String(startTime(b)).localeCompare(String(startTime(a))))
      .map((m) => {
        const s = status(m);
        return h('tr', {dataset: {migration: m.name}},
          h('th', {attrs: {scope: 'row'}}, h('a', {attrs: {href: detailsHref(m)}, text: m.name})),
          h('td', {text: targetLabel(m)}),
          h('td', {text: mode(m)}),
          h('td', {text: option(m)}),
          h('td', {class: 'state'}, stateBadge(s.state), h('span', {class: 'substate', text: s.subState})),
          h('td', {class: 'wrap', text: sourceLabel(m)}),
          h('td', {text: fmt.time(startTime(m))}),
          h('td', {text: fmt.duration(durationMs(m))}));
      });
    const table = cardTable({class: 'grid', id: 'migrations-table', caption: `${filter} migrations`},
      ['Name', 'Target server', 'Mode', 'Option', 'State / substate', 'Source', 'Start time', 'Duration'], rows);
    replace(body, scrollTable('Migrations', table));
  }

  loadServers();
  load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
