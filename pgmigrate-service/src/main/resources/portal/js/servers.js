// The registered servers: list, add, show and delete (ARM's flexibleServers and servers resources).
import * as api from './api.js';
import {h, field, replace, scrollTable} from './dom.js';
import * as fmt from './format.js';
import {confirmDialog} from './dialog.js';

const FIELD_OF_TARGET = [
  [/fullyQualifiedDomainName|host/i, 'host'],
  [/port/i, 'port'],
  [/sslMode/i, 'sslMode'],
  [/administratorLogin/i, 'login'],
  [/sslRootCertificate/i, 'rootCert'],
  [/^serverName$/i, 'name'],
];

export function showServers(main) {
  document.title = 'Servers - pgmigrate portal';
  let stopped = false;
  let list = [];
  const body = h('div', {id: 'servers'});
  const result = h('div', {class: 'result', id: 'servers-result', attrs: {role: 'status', 'aria-live': 'polite'}});
  const error = h('p', {class: 'form-error', attrs: {role: 'alert'}});
  const shown = h('section', {id: 'server-details', attrs: {'aria-labelledby': 'server-details-title'},
    props: {hidden: true}});

  // the add form
  const kind = h('select', {id: 'server-kind'}, h('option', {attrs: {value: 'flexibleServers'},
    text: 'Flexible server'}), h('option', {attrs: {value: 'servers'},
    text: 'Single server (a source)'}));
  const subscription = h('input', {id: 'server-subscription', attrs: {autocomplete: 'off', spellcheck: 'false'},
    props: {value: api.LOCAL_SUBSCRIPTION}});
  const group = h('input', {id: 'server-group', attrs: {autocomplete: 'off', spellcheck: 'false', required: true}});
  const name = h('input', {id: 'server-name', attrs: {autocomplete: 'off', spellcheck: 'false', required: true}});
  const host = h('input', {id: 'server-host', attrs: {autocomplete: 'off', spellcheck: 'false', required: true}});
  const port = h('input', {id: 'server-port', attrs: {type: 'number', min: 1, max: 65535, inputmode: 'numeric'},
    props: {value: '5432'}});
  const ssl = h('select', {id: 'server-ssl'}, ['Prefer', 'Require', 'VerifyCA', 'VerifyFull', 'Disable', 'Allow']
    .map((m) => h('option', {attrs: {value: m}, text: m})));
  const login = h('input', {id: 'server-login', attrs: {autocomplete: 'off', spellcheck: 'false'}});
  const rootCert = h('input', {id: 'server-root-cert', attrs: {autocomplete: 'off', spellcheck: 'false'}});
  const fields = {
    kind: field('Type', kind),
    subscription: field('Subscription', subscription, 'Only names resources; the CLI uses this one unless configured.'),
    group: field('Resource group', group),
    name: field('Name', name),
    host: field('Host', host, 'Host name or IP address the service connects to.'),
    port: field('Port', port),
    sslMode: field('SSL mode', ssl),
    login: field('Administrator login', login, 'Optional: the default user for migrations.'),
    rootCert: field('SSL root certificate file', rootCert, 'Optional: a path on the service host, for VerifyCA/VerifyFull.'),
  };
  const formError = h('p', {class: 'form-error', attrs: {role: 'alert'}});
  const add = h('form', {class: 'server-form', id: 'add-server', attrs: {'aria-labelledby': 'add-server-title',
    novalidate: true}, props: {hidden: true}, on: {submit: (e) => {
    e.preventDefault();
    save();
  }}},
  h('h2', {id: 'add-server-title', text: 'Add server'}),
  h('div', {class: 'form-grid'}, Object.values(fields)),
  formError,
  h('div', {class: 'wizard-buttons'}, h('button', {class: 'primary', attrs: {type: 'submit'}, text: 'Save'}),
    h('button', {attrs: {type: 'button'}, text: 'Close', on: {click: () => {
      add.hidden = true;
      openAdd.focus();
    }}})));
  const openAdd = h('button', {class: 'primary', id: 'open-add-server', attrs: {type: 'button'}, text: 'Add server',
    on: {click: () => {
      add.hidden = false;
      if (!group.value && list.length) group.value = api.parseId(list[0].id).resourceGroup;
      if (list.length) subscription.value = api.parseId(list[0].id).subscription;
      name.focus();
    }}});

  replace(main, h('div', {class: 'page-head'}, h('h1', {text: 'Servers'}), openAdd),
    h('p', {class: 'hint', text: 'The servers migrations connect to: sources (single or flexible servers) and '
      + 'targets (flexible servers). A registered server keeps its host, port, SSL mode and default user; '
      + 'passwords are given per migration.'}),
    add, result, error, body, shown);

  async function load() {
    try {
      const [flexible, single] = await Promise.all([api.allFlexibleServers(), api.allSingleServers()]);
      if (stopped) return;
      list = [...flexible.value, ...single.value];
      error.textContent = '';
      render();
    } catch (e) {
      error.textContent = e.message;
    }
  }

  function render() {
    if (list.length === 0) {
      replace(body, h('p', {class: 'empty', text: 'No server is registered yet. Add the source and the target.'}));
      return;
    }
    const rows = list.map((s) => {
      const p = api.parseId(s.id);
      return h('tr', {dataset: {server: s.name}},
        h('th', {attrs: {scope: 'row'}, text: s.name}),
        h('td', {text: p.kind === 'flexibleServers' ? 'Flexible' : 'Single'}),
        h('td', {text: p.resourceGroup}),
        h('td', {class: 'wrap', text: `${s.properties.fullyQualifiedDomainName}:${s.properties.port}`}),
        h('td', {text: s.properties.sslMode || ''}),
        h('td', {text: s.properties.administratorLogin || '–'}),
        h('td', {class: 'row-actions'},
          h('button', {attrs: {type: 'button', 'aria-label': `Show ${s.name}`}, text: 'Show', on: {click: () => show(s)}}),
          h('button', {class: 'danger-outline', attrs: {type: 'button', 'aria-label': `Delete ${s.name}`}, text: 'Delete',
            on: {click: () => remove(s)}})));
    });
    replace(body, scrollTable('Registered servers', h('table', {class: 'grid', id: 'servers-table'},
      h('caption', {class: 'visually-hidden', text: 'Registered servers'}),
      h('thead', null, h('tr', null, ['Name', 'Type', 'Resource group', 'Host:port', 'SSL mode', 'Administrator login',
        'Actions'].map((c) => h('th', {attrs: {scope: 'col'}, text: c})))),
      h('tbody', null, rows))));
  }

  function show(s) {
    const p = s.properties;
    const rows = [['Resource ID', s.id], ['Type', s.type], ['Location', s.location], ['Host', p.fullyQualifiedDomainName],
      ['Port', p.port], ['SSL mode', p.sslMode], ['SSL root certificate', p.sslRootCertificate || '–'],
      ['Administrator login', p.administratorLogin || '–'], ['Version', p.version || '–'], ['State', p.state],
      ['Restart command', p.restartCommand || '–'],
      ['Created', fmt.time(s.systemData && s.systemData.createdAt)],
      ['Changed', fmt.time(s.systemData && s.systemData.lastModifiedAt)]];
    shown.hidden = false;
    replace(shown, h('h2', {id: 'server-details-title', attrs: {tabindex: '-1'}, text: `Server ${s.name}`}),
      h('dl', {class: 'overview'}, rows.map(([k, v]) => [h('dt', {text: k}), h('dd', {text: String(v)})])));
    shown.querySelector('h2').focus();
  }

  async function remove(s) {
    const yes = await confirmDialog({id: 'delete-server-dialog', title: `Delete server ${s.name}?`,
      content: [h('p', {text: 'This removes the registration only; the PostgreSQL server itself is not touched. The '
        + 'service refuses while an active migration uses it.'})],
      confirmLabel: 'Delete', keepLabel: 'Keep it', danger: true});
    if (!yes) return;
    try {
      await api.del(api.path(s.id));
      replace(result, h('p', {class: 'result-ok', text: `Server ${s.name} deleted.`}));
      shown.hidden = true;
    } catch (e) {
      replace(result, h('p', {class: 'result-error', text: e.message}));
    }
    load();
  }

  async function save() {
    Object.values(fields).forEach((f) => f.setError(''));
    formError.textContent = '';
    const required = [[group, 'group', 'Enter the resource group.'], [name, 'name', 'Enter the server\'s name.'],
      [host, 'host', 'Enter the host name or IP address.']];
    for (const [input, key, message] of required) {
      if (!input.value.trim()) {
        fields[key].setError(message);
        input.focus();
        return;
      }
    }
    const properties = {fullyQualifiedDomainName: host.value.trim(), port: Number(port.value || 5432), sslMode: ssl.value};
    if (login.value.trim()) properties.administratorLogin = login.value.trim();
    if (rootCert.value.trim()) properties.sslRootCertificate = rootCert.value.trim();
    const resource = `${api.groupPath(subscription.value.trim() || api.LOCAL_SUBSCRIPTION, group.value.trim())}${
      api.segments(kind.value, name.value.trim())}`;
    try {
      const saved = await api.put(resource, {location: 'local', properties});
      replace(result, h('p', {class: 'result-ok', text: `Server ${saved.name} saved.`}));
      add.hidden = true;
      name.value = '';
      host.value = '';
      login.value = '';
      rootCert.value = '';
      await load();
    } catch (e) {
      const match = FIELD_OF_TARGET.find(([re]) => re.test(e.target || ''));
      if (match) {
        fields[match[1]].setError(e.message);
        fields[match[1]].control.focus();
      } else {
        formError.textContent = e.message;
      }
    }
  }

  load();
  return () => {
    stopped = true;
  };
}
