// A migration's page: overview, databases, live replication chart, validation and verification reports, actions.
import * as api from './api.js';
import {h, cardTable, replace, scrollTable} from './dom.js';
import * as fmt from './format.js';
import {confirmDialog} from './dialog.js';
import {replicationChart} from './chart.js';
import {durationMs, isTerminal, mode, option, sourceLabel, startTime, stateBadge, status, targetLabel} from './views.js';

const REFRESH_MS = 2000;
const TABLES_SHOWN = 100;

export function showDetails(main, query) {
  const id = query.get('id') || '';
  const resource = api.path(id);
  let migration = null;
  let timer = null;
  let stopped = false;
  let actionsKey = null;
  let chart = null;
  let chartDb = null;
  let chartDbs = '';
  const history = new Map(); // database -> samples
  let lastSample = null;

  const title = h('h1', {id: 'migration-name', text: api.parseId(id).migration || 'Migration'});
  const headState = h('div', {class: 'head-state'});
  const actions = h('div', {class: 'actions', attrs: {role: 'toolbar', 'aria-label': 'Actions'}});
  const result = h('div', {class: 'result', id: 'action-result', attrs: {role: 'status', 'aria-live': 'polite'}});
  const loadError = h('p', {class: 'form-error', attrs: {role: 'alert'}});
  const overview = h('section', {id: 'overview', attrs: {'aria-labelledby': 'overview-title'}});
  const databases = h('section', {id: 'databases', attrs: {'aria-labelledby': 'databases-title'}});
  const replication = h('section', {id: 'replication', attrs: {'aria-labelledby': 'replication-title'}, props: {hidden: true}});
  const validation = h('section', {id: 'validation', attrs: {'aria-labelledby': 'validation-title'}, props: {hidden: true}});
  const verification = h('section', {id: 'verification', attrs: {'aria-labelledby': 'verification-title'},
    props: {hidden: true}});
  const updated = h('p', {class: 'updated'});

  replace(main,
    h('nav', {class: 'breadcrumb', attrs: {'aria-label': 'Breadcrumb'}},
      h('a', {attrs: {href: '#/migrations'}, text: 'Migrations'}), h('span', {attrs: {'aria-hidden': 'true'}, text: ' › '}),
      h('span', {attrs: {'aria-current': 'page'}, text: api.parseId(id).migration || ''})),
    h('div', {class: 'page-head'}, h('div', null, title, headState), updated),
    actions, result, loadError, overview, databases, replication, validation, verification);
  document.title = `${api.parseId(id).migration || 'Migration'} - pgmigrate portal`;

  async function load() {
    clearTimeout(timer);
    try {
      migration = await api.get(resource);
      if (stopped) return;
      loadError.textContent = '';
      render();
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      if (mode(migration) === 'Online') await loadHistory();
    } catch (e) {
      if (stopped) return;
      loadError.textContent = e.status === 404
        ? `This migration does not exist (any more): ${e.message}` : e.message;
      if (e.status === 404) return;
    }
    // a finished migration does not change any more
    if (!stopped && !(migration && isTerminal(status(migration).state))) {
      timer = setTimeout(load, REFRESH_MS);
    }
  }

  function render() {
    const s = status(migration);
    replace(headState, stateBadge(s.state), h('span', {class: 'substate', text: s.subState}));
    renderActions(s);
    renderOverview(s);
    renderDatabases(s);
    renderValidation(s.validation);
    renderVerification(migration.properties.verificationDetails);
  }

  function renderOverview(s) {
    const p = migration.properties;
    const rows = [
      ['State', stateBadge(s.state)],
      ['Substate', s.subState],
      ['Mode', mode(migration)],
      ['Option', option(migration)],
      ['Source', sourceLabel(migration)],
      ['Target', targetLabel(migration)],
      ['Databases', (p.dbsToMigrate || []).join(', ') || '–'],
      ['Start time', fmt.time(startTime(migration))],
      ['Duration', fmt.duration(durationMs(migration))],
    ];
    if (p.sourceDbServerMetadata && p.sourceDbServerMetadata.version) {
      rows.push(['Versions', `source ${p.sourceDbServerMetadata.version}, target ${
        (p.targetDbServerMetadata && p.targetDbServerMetadata.version) || '?'}`]);
    }
    replace(overview,
      h('h2', {id: 'overview-title', text: 'Overview'}),
      h('dl', {class: 'essentials'}, rows.map(([k, v]) => h('div', null, h('dt', {text: k}), h('dd', null, v)))),
      s.error ? h('div', {class: 'error-box', id: 'migration-error'},
        h('h3', {text: 'Error'}), h('p', {class: 'message', text: s.error})) : null);
  }

  function renderDatabases(s) {
    const dbs = Object.entries(s.dbDetails);
    if (dbs.length === 0) {
      replace(databases, h('h2', {id: 'databases-title', text: 'Databases'}),
        h('p', {class: 'empty', text: (migration.properties.dbsToMigrate || []).length
          ? 'No database has started yet.' : 'No databases chosen yet.'}));
      return;
    }
    const rows = [];
    for (const [name, d] of dbs) {
      rows.push(databaseRow(name, d));
      if (d.message) {
        rows.push(h('tr', {class: 'db-message', dataset: {database: name}},
          h('td', {attrs: {colspan: 8}}, h('span', {class: 'visually-hidden', text: `${name}: `}),
            h('span', {class: 'message', text: d.message}))));
      }
    }
    const table = cardTable({class: 'grid', id: 'databases-table', caption: 'Databases of this migration'},
      ['Database', 'State', 'Tables', 'Copied', 'Inserts / updates / deletes', 'Applied / incoming changes', 'Latency',
        'Pending'], rows);
    replace(databases, h('h2', {id: 'databases-title', text: 'Databases'}), scrollTable('Databases', table));
  }

  function databaseRow(name, d) {
    const done = d.fullLoadCompletedTables || 0;
    const total = done + (d.fullLoadQueuedTables || 0) + (d.fullLoadLoadingTables || 0) + (d.fullLoadErroredTables || 0);
    const finished = ['Succeeded', 'Failed', 'Canceled'].includes(d.migrationState);
    const pct = fmt.percent(d.copiedBytes || 0, d.totalBytes || 0);
    const copied = d.totalBytes
      ? [`${fmt.bytes(d.copiedBytes)} of ${fmt.bytes(d.totalBytes)}`,
        finished ? null : h('span', {class: 'estimate', text: ' (estimated total)'}),
        pct === null ? null : h('span', {class: 'pct', text: ` ${pct}%`})]
      : [fmt.bytes(d.copiedBytes || 0)];
    return h('tr', {dataset: {database: name}},
      h('th', {attrs: {scope: 'row'}, class: 'db-name', text: name}),
      h('td', {class: 'state'}, stateBadge(d.migrationState),
        d.migrationOperation ? h('span', {class: 'substate', text: d.migrationOperation}) : null),
      h('td', {class: 'tables'},
        h('span', {class: 'tables-count', text: `${fmt.count(done)} of ${fmt.count(total)} done`}),
        h('progress', {attrs: {max: Math.max(total, 1), value: done, 'aria-label': `Tables of ${name} done`}}),
        h('span', {class: 'tables-detail',
          text: `queued ${fmt.count(d.fullLoadQueuedTables)} · loading ${fmt.count(d.fullLoadLoadingTables)} · `
            + `errored ${fmt.count(d.fullLoadErroredTables)}`})),
      h('td', {class: 'copied'}, copied, d.copiedRows ? h('span', {class: 'rows', text: `${fmt.count(d.copiedRows)} rows`}) : null),
      h('td', {class: 'cdc', text: `${fmt.count(d.cdcInsertCounter)} / ${fmt.count(d.cdcUpdateCounter)} / ${
        fmt.count(d.cdcDeleteCounter)}`}),
      h('td', {class: 'changes', text: `${fmt.count(d.appliedChanges)} / ${fmt.count(d.incomingChanges)}`}),
      h('td', {class: 'latency', text: fmt.seconds(d.latency)}),
      h('td', {class: 'pending', text: fmt.bytes(d.pendingBytes)}));
  }

  async function loadHistory() {
    let answer;
    try {
      answer = await api.get(`${resource}/replicationHistory`, lastSample ? {since: lastSample} : {});
    } catch (e) {
      return; // the chart waits for the next refresh
    }
    for (const db of answer.value) {
      const list = history.get(db.databaseName) || [];
      list.push(...db.samples);
      while (list.length > 1800) list.shift();
      history.set(db.databaseName, list);
      for (const smp of db.samples) {
        if (!lastSample || smp.time > lastSample) lastSample = smp.time;
      }
    }
    renderChart();
  }

  function renderChart() {
    const names = [...history.keys()];
    if (names.length === 0) {
      replication.hidden = true;
      return;
    }
    replication.hidden = false;
    if (!chartDb || !history.has(chartDb)) chartDb = names[0];
    const key = names.join('\n');
    if (key !== chartDbs) {
      chartDbs = key;
      if (chart) chart.destroy();
      const select = h('select', {id: 'chart-database'}, names.map((n) => h('option', {attrs: {value: n}, text: n})));
      select.value = chartDb;
      select.addEventListener('change', () => {
        chartDb = select.value;
        drawChart();
      });
      const plot = h('div', {class: 'chart', id: 'replication-chart'});
      replace(replication,
        h('h2', {id: 'replication-title', text: 'Replication'}),
        h('p', {class: 'hint', text: 'Latency (seconds behind the source) and pending bytes (source WAL not yet '
          + 'applied), sampled every few seconds by the service over the last hour.'}),
        h('div', {class: 'field inline'}, h('label', {attrs: {for: 'chart-database'}, text: 'Database'}), select),
        plot,
        h('p', {class: 'chart-latest', id: 'chart-latest', attrs: {'aria-live': 'off'}}));
      chart = replicationChart(plot, 'Latency and pending bytes');
    }
    drawChart();
  }

  function drawChart() {
    const samples = history.get(chartDb) || [];
    chart.update(samples);
    const last = samples[samples.length - 1];
    const latest = replication.querySelector('#chart-latest');
    if (latest) {
      latest.textContent = last ? `Latest sample for ${chartDb} at ${fmt.time(last.time)}: latency ${
        fmt.seconds(last.latency)}, pending ${fmt.bytes(last.pendingBytes)} (${samples.length} samples).` : '';
    }
  }

  function renderValidation(v) {
    if (!v) {
      validation.hidden = true;
      return;
    }
    validation.hidden = false;
    const items = (list) => {
      const rows = (list || []).map((i) => h('tr', null,
        h('th', {attrs: {scope: 'row'}, text: i.type}),
        h('td', null, stateBadge(i.state)),
        h('td', null, (i.messages || []).length
          ? h('ul', {class: 'messages'}, i.messages.map((msg) => h('li', null,
            h('span', {class: 'severity'}, stateBadge(msg.state)), h('span', {class: 'message', text: msg.message}))))
          : h('span', {class: 'muted', text: '–'}))));
      return scrollTable('Checks', h('table', {class: 'grid checks'},
        h('thead', null, h('tr', null, ['Check', 'State', 'Severity and message'].map((c) =>
          h('th', {attrs: {scope: 'col'}, text: c})))),
        h('tbody', null, rows)));
    };
    replace(validation,
      h('h2', {id: 'validation-title', text: 'Validation report'}),
      h('p', null, 'Status ', stateBadge(v.status), ` · started ${fmt.time(v.validationStartTimeInUtc)} · ended ${
        fmt.time(v.validationEndTimeInUtc)}`),
      h('h3', {text: 'Server checks'}), items(v.serverLevelValidationDetails),
      (v.dbLevelValidationDetails || []).map((d) => [
        h('h3', null, 'Database ', h('span', {class: 'db-name', text: d.databaseName})), items(d.summary)]));
  }

  function renderVerification(v) {
    if (!v) {
      verification.hidden = true;
      return;
    }
    verification.hidden = false;
    replace(verification,
      h('h2', {id: 'verification-title', text: 'Verification report'}),
      h('p', null, 'Status ', stateBadge(v.status)),
      (v.databases || []).map((d) => {
        const tables = [...(d.tables || [])].sort((a, b) => Number(a.equal) - Number(b.equal));
        const shown = tables.slice(0, TABLES_SHOWN);
        return [
          h('h3', null, 'Database ', h('span', {class: 'db-name', text: d.databaseName}), ' ', stateBadge(d.status)),
          scrollTable(`Tables of ${d.databaseName}`, h('table', {class: 'grid verification'},
            h('thead', null, h('tr', null, ['Table', 'Source rows', 'Target rows', 'Equal', 'Difference'].map((c) =>
              h('th', {attrs: {scope: 'col'}, text: c})))),
            h('tbody', null, shown.map((t) => h('tr', null,
              h('th', {attrs: {scope: 'row'}, text: t.table}),
              h('td', {class: 'num', text: fmt.count(t.sourceRows)}),
              h('td', {class: 'num', text: fmt.count(t.targetRows)}),
              h('td', {text: t.equal ? 'Yes' : 'No'}),
              h('td', {class: 'message', text: t.message || ''})))))),
          tables.length > shown.length ? h('p', {class: 'hint',
            text: `${tables.length - shown.length} more tables, all equal, are not listed.`}) : null,
          (d.sequenceMismatches || []).length ? [h('h4', {text: 'Sequences that differ'}),
            h('ul', null, d.sequenceMismatches.map((x) => h('li', {text: x})))] : null,
          (d.objectMismatches || []).length ? [h('h4', {text: 'Object counts that differ'}),
            h('ul', null, d.objectMismatches.map((x) => h('li', {text: x})))] : null,
        ];
      }));
  }

  // Actions, offered only when the state allows them.

  function available(s) {
    const list = [];
    if (isTerminal(s.state)) {
      list.push('delete');
      return list;
    }
    if (mode(migration) === 'Online' && s.subState === 'WaitingForCutoverTrigger') list.push('cutover');
    if (s.subState === 'WaitingForLogicalReplicationSetupRequestOnSourceDB') list.push('setupReplication');
    if (s.subState === 'WaitingForTargetDBOverwriteConfirmation') list.push('confirmOverwrite');
    if (s.subState === 'WaitingForDataMigrationWindow') list.push('startDataMigration');
    if (s.subState !== 'CancelingRequestedDBMigrations') list.push('cancel');
    return list;
  }

  const ACTIONS = {
    cutover: {label: 'Cutover', run: cutover},
    setupReplication: {label: 'Set up replication', run: setupReplication},
    confirmOverwrite: {label: 'Confirm overwrite', run: confirmOverwrite},
    startDataMigration: {label: 'Start data migration', run: startDataMigration},
    cancel: {label: 'Cancel migration', run: cancel, danger: true},
    delete: {label: 'Delete', run: remove, danger: true},
  };

  function renderActions(s) {
    const list = available(s);
    const key = list.join(',');
    if (key === actionsKey) return;
    actionsKey = key;
    replace(actions, list.map((a) => h('button', {id: `action-${a}`,
      class: ACTIONS[a].danger ? 'danger-outline' : a === 'cutover' ? 'primary' : '',
      attrs: {type: 'button'}, text: ACTIONS[a].label, on: {click: () => ACTIONS[a].run()}})));
  }

  function report(ok, text) {
    replace(result, h('p', {class: ok ? 'result-ok' : 'result-error', text}));
  }

  async function change(properties, done) {
    try {
      migration = await api.patch(resource, {properties});
      report(true, done);
      render();
    } catch (e) {
      report(false, `${e.message}`);
    }
    load();
  }

  async function cutover() {
    const s = status(migration);
    const waiting = Object.entries(s.dbDetails).filter(([, d]) => d.migrationState === 'WaitingForCutoverTrigger');
    const boxes = new Map();
    const rows = waiting.map(([name, d]) => {
      const box = h('input', {attrs: {type: 'checkbox', 'aria-label': `Cut over ${name}`}, props: {checked: true}});
      boxes.set(name, box);
      return h('tr', null,
        waiting.length > 1 ? h('td', null, box) : null,
        h('th', {attrs: {scope: 'row'}, class: 'db-name', text: name}),
        h('td', {class: 'latency', text: fmt.seconds(d.latency)}),
        h('td', {class: 'pending', text: fmt.bytes(d.pendingBytes)}));
    });
    const yes = await confirmDialog({
      id: 'cutover-dialog',
      title: `Cut over ${migration.name}?`,
      content: [
        h('p', {class: 'warning', text: 'Stop writes to the source first. The cutover applies every change committed '
          + 'on the source up to now, then ends replication: changes committed after the cutover point are not '
          + 'migrated.'}),
        h('p', {text: 'Current latency and pending bytes (wait until they are 0 or close to it):'}),
        h('table', {class: 'grid compact'},
          h('thead', null, h('tr', null, waiting.length > 1 ? h('th', {attrs: {scope: 'col'}, text: 'Cut over'}) : null,
            ['Database', 'Latency', 'Pending'].map((c) => h('th', {attrs: {scope: 'col'}, text: c})))),
          h('tbody', null, rows)),
        h('p', {text: 'Once cut over, pgmigrate sets the sequences, removes its replication slot and publication from '
          + 'the source, and verifies the target against the source.'}),
      ],
      confirmLabel: 'Cut over',
      keepLabel: 'Not yet',
    });
    if (!yes) return;
    const chosen = [...boxes].filter(([, b]) => b.checked).map(([n]) => n);
    if (chosen.length === 0) {
      report(false, 'No database was chosen: nothing was cut over.');
      return;
    }
    const properties = {triggerCutover: 'True'};
    if (chosen.length < waiting.length) properties.dbsToTriggerCutoverOn = chosen;
    await change(properties, `Cutover started for ${chosen.join(', ')}. The migration completes once every change up `
      + 'to the cutover point is applied and the target is verified.');
  }

  async function cancel() {
    const yes = await confirmDialog({
      id: 'cancel-dialog',
      title: `Cancel ${migration.name}?`,
      content: [
        h('p', {text: 'pgmigrate stops this migration and undoes what it changed on the source (replication slots, '
          + 'publications, replica identities).'}),
        h('p', {class: 'warning', text: 'The target is left as it is: nothing there is dropped or rolled back. '
          + 'Databases already copied, or partly copied, stay on the target; drop them there if you do not want them.'}),
      ],
      confirmLabel: 'Cancel migration',
      keepLabel: 'Keep it running',
      danger: true,
    });
    if (yes) await change({cancel: 'True'}, 'Cancel requested. The target is left as it is.');
  }

  async function setupReplication() {
    const yes = await confirmDialog({
      id: 'setup-dialog',
      title: 'Set up logical replication on the source?',
      content: [h('p', {text: 'pgmigrate runs ALTER SYSTEM SET wal_level = \'logical\' on the source (and raises '
        + 'max_replication_slots and max_wal_senders if needed), then runs the source server\'s restart command if '
        + 'the service allows one. Otherwise the databases\' messages say how to restart the source; the migration '
        + 'goes on by itself once the settings are live.'})],
      confirmLabel: 'Set up replication',
      keepLabel: 'Not now',
    });
    if (yes) await change({setupLogicalReplicationOnSourceDbIfNeeded: 'True'}, 'Replication setup requested.');
  }

  async function confirmOverwrite() {
    const dbs = Object.entries(status(migration).dbDetails).filter(([, d]) => d.message).map(([n, d]) =>
      h('li', null, h('span', {class: 'db-name', text: n}), ': ', h('span', {class: 'message', text: d.message})));
    const yes = await confirmDialog({
      id: 'overwrite-dialog',
      title: 'Overwrite the target\'s databases?',
      content: [h('p', {class: 'warning', text: 'Databases of the same names exist on the target. Confirming drops '
        + 'them there and copies them again from the source.'}), dbs.length ? h('ul', null, dbs) : null],
      confirmLabel: 'Overwrite',
      keepLabel: 'Not now',
      danger: true,
    });
    if (yes) await change({overwriteDbsInTarget: 'True'}, 'Overwrite confirmed; the migration goes on.');
  }

  async function startDataMigration() {
    const yes = await confirmDialog({
      id: 'start-dialog',
      title: 'Start the data migration now?',
      content: [h('p', {text: `The migration window starts at ${fmt.time(startTime(migration))}. Starting now `
        + 'does not wait for it.'})],
      confirmLabel: 'Start now',
      keepLabel: 'Wait for the window',
    });
    if (yes) await change({startDataMigration: 'True'}, 'Data migration started.');
  }

  async function remove() {
    const yes = await confirmDialog({
      id: 'delete-dialog',
      title: `Delete ${migration.name}?`,
      content: [h('p', {text: 'This removes the finished migration\'s record from the service (its name becomes '
        + 'free again). Nothing on the source or the target changes.'})],
      confirmLabel: 'Delete',
      keepLabel: 'Keep it',
      danger: true,
    });
    if (!yes) return;
    try {
      await api.del(resource);
      location.hash = '#/migrations?filter=All';
    } catch (e) {
      report(false, e.message);
    }
  }

  load();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (chart) chart.destroy();
  };
}
