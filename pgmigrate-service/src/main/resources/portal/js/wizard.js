// Create migration: the Azure portal's steps (Setup, Source, Target, Databases, Review + create). The service's
// answers decide: its errors are shown next to the field they concern (ARM's error.target).
import * as api from './api.js';
import {h, field, replace} from './dom.js';
import {migrationNameProblem} from './views.js';

const STEPS = [
  {key: 'setup', title: 'Setup'},
  {key: 'source', title: 'Source'},
  {key: 'target', title: 'Target'},
  {key: 'databases', title: 'Databases'},
  {key: 'review', title: 'Review + create'},
];

const SSL_MODES = [
  ['', "The servers' own (else Prefer)"], ['Prefer', 'Prefer'], ['Require', 'Require'], ['VerifyCA', 'VerifyCA'],
  ['VerifyFull', 'VerifyFull'], ['Disable', 'Disable'], ['Allow', 'Allow'],
];

// error.target of the service -> the wizard's field
const ERROR_TARGETS = [
  [/^migrationName$/i, 'name'],
  [/dbsToMigrate/i, 'databases'],
  [/migrationWindowStart/i, 'windowStart'],
  [/migrationWindowEnd/i, 'windowEnd'],
  [/sourceServerPassword/i, 'sourcePassword'],
  [/targetServerPassword/i, 'targetPassword'],
  [/sourceServerUsername/i, 'sourceUser'],
  [/targetServerUsername/i, 'targetUser'],
  [/secretParameters(\.adminCredentials)?$/i, 'sourcePassword'],
  [/sourceDbServer/i, 'source'],
  [/targetDbServer|^serverName$/i, 'target'],
  [/sslMode/i, 'sslMode'],
  [/migrationMode/i, 'mode'],
  [/migrationOption/i, 'option'],
];

export function showWizard(main) {
  document.title = 'Create migration - pgmigrate portal';
  let current = 0;
  let servers = {flexible: [], single: []};
  let loadedFor = null; // the source the database list was read from
  let stopped = false;
  const fields = {}; // name -> {wrap, step}

  const stepList = h('ol', {class: 'steps'});
  const panels = h('div', {class: 'step-panels'});
  const formError = h('p', {class: 'form-error', id: 'wizard-error', attrs: {role: 'alert'}});
  const back = h('button', {attrs: {type: 'button'}, text: 'Previous', on: {click: () => go(current - 1)}});
  const next = h('button', {class: 'primary', attrs: {type: 'button'}, text: 'Next', on: {click: () => forward()}});
  const create = h('button', {class: 'primary', id: 'create-migration', attrs: {type: 'button'},
    text: 'Create', on: {click: () => submit()}});
  const form = h('form', {class: 'wizard', attrs: {novalidate: true, 'aria-labelledby': 'wizard-title'},
    on: {submit: (e) => e.preventDefault()}},
  stepList, panels, formError, h('div', {class: 'wizard-buttons'}, back, next, create));

  replace(main, h('nav', {class: 'breadcrumb', attrs: {'aria-label': 'Breadcrumb'}},
    h('a', {attrs: {href: '#/migrations'}, text: 'Migrations'}), h('span', {attrs: {'aria-hidden': 'true'}, text: ' › '}),
    h('span', {attrs: {'aria-current': 'page'}, text: 'Create migration'})),
  h('h1', {id: 'wizard-title', text: 'Create migration'}), form);

  function register(name, step, wrap) {
    fields[name] = {wrap, step};
    return wrap;
  }

  // Setup
  const nameInput = h('input', {id: 'migration-name-input', attrs: {name: 'migrationName', autocomplete: 'off',
    required: true, maxlength: 63, spellcheck: 'false'}});
  const nameField = register('name', 0, field('Migration name', nameInput,
    'Letters, digits and hyphens; not starting with a hyphen; unique on the target server.'));
  nameInput.addEventListener('input', () => nameField.setError(migrationNameProblem(nameInput.value)));
  const modeInputs = ['Offline', 'Online'].map((m) => h('input', {id: `mode-${m}`,
    attrs: {type: 'radio', name: 'migrationMode', value: m}, props: {checked: m === 'Offline'}}));
  const modeField = h('fieldset', {class: 'choice'}, h('legend', {text: 'Migration mode'}),
    modeInputs.map((input) => h('span', {class: 'choice-item'}, input,
      h('label', {attrs: {for: input.id}, text: input.value === 'Offline'
        ? 'Offline: one consistent copy; the source should not change meanwhile'
        : 'Online: copy, then replicate changes until you cut over'}))));
  fields.mode = {wrap: {setError: () => {}, control: modeInputs[0]}, step: 0};
  const optionSelect = h('select', {id: 'migration-option', attrs: {name: 'migrationOption'}},
    [['ValidateAndMigrate', 'Validate and migrate'], ['Validate', 'Validate only'], ['Migrate', 'Migrate without validation']]
      .map(([v, t]) => h('option', {attrs: {value: v}, text: t})));
  const optionField = register('option', 0, field('Migration option', optionSelect));
  const windowStart = h('input', {id: 'window-start', attrs: {type: 'datetime-local', name: 'windowStart'}});
  const windowEnd = h('input', {id: 'window-end', attrs: {type: 'datetime-local', name: 'windowEnd'}});
  const startField = register('windowStart', 0, field('Migration window start (your local time)', windowStart,
    'Optional. Empty: start now.'));
  const endField = register('windowEnd', 0, field('Migration window end (your local time)', windowEnd,
    'Optional. The migration fails if its data migration has not started by then.'));
  const setupReplication = h('input', {id: 'setup-replication', attrs: {type: 'checkbox'}});
  const allowFull = h('input', {id: 'allow-replica-identity-full', attrs: {type: 'checkbox'}});
  const onlineOptions = h('fieldset', {class: 'choice', props: {hidden: true}},
    h('legend', {text: 'Online options'}),
    h('span', {class: 'choice-item'}, setupReplication, h('label', {attrs: {for: setupReplication.id},
      text: 'Set up logical replication on the source if needed (ALTER SYSTEM; the source needs a restart)'})),
    h('span', {class: 'choice-item'}, allowFull, h('label', {attrs: {for: allowFull.id},
      text: 'Allow REPLICA IDENTITY FULL for source tables without a key'})));
  for (const input of modeInputs) {
    input.addEventListener('change', () => {
      onlineOptions.hidden = selectedMode() !== 'Online';
    });
  }

  // Source
  const sourceKinds = ['registered', 'host'].map((k) => h('input', {id: `source-kind-${k}`,
    attrs: {type: 'radio', name: 'sourceKind', value: k}, props: {checked: k === 'registered'}}));
  const sourceSelect = h('select', {id: 'source-server', attrs: {name: 'sourceServer'}});
  const sourceServerField = field('Source server', sourceSelect, 'A registered server (see Servers).');
  const hostInput = h('input', {id: 'source-host', attrs: {name: 'sourceHost', autocomplete: 'off', spellcheck: 'false'}});
  const portInput = h('input', {id: 'source-port', attrs: {name: 'sourcePort', type: 'number', min: 1, max: 65535,
    inputmode: 'numeric'}, props: {value: '5432'}});
  const hostField = field('Host', hostInput, 'Host name or IP address of the source server.');
  const portField = field('Port', portInput);
  const hostGroup = h('div', {class: 'field-row', props: {hidden: true}}, hostField, portField);
  const sourceUser = h('input', {id: 'source-user', attrs: {name: 'sourceUser', autocomplete: 'off', spellcheck: 'false'}});
  const sourcePassword = h('input', {id: 'source-password', attrs: {name: 'sourcePassword', type: 'password',
    autocomplete: 'new-password'}});
  const sslSelect = h('select', {id: 'ssl-mode', attrs: {name: 'sslMode'}},
    SSL_MODES.map(([v, t]) => h('option', {attrs: {value: v}, text: t})));
  const sourceUserField = register('sourceUser', 1, field('User', sourceUser,
    'A user that may read every table (and, online, has REPLICATION).'));
  const sourcePasswordField = register('sourcePassword', 1, field('Password', sourcePassword,
    'Stored encrypted by the service, never shown again.'));
  const sslField = register('sslMode', 1, field('SSL mode', sslSelect, 'Applies to both connections.'));
  const sourceKindField = h('fieldset', {class: 'choice'}, h('legend', {text: 'Source'}),
    sourceKinds.map((input) => h('span', {class: 'choice-item'}, input, h('label', {attrs: {for: input.id},
      text: input.value === 'registered' ? 'A registered server' : 'Host and port'}))));
  const sourceField = {
    setError: (m) => (sourceKind() === 'registered' ? sourceServerField : hostField).setError(m),
    get control() {
      return sourceKind() === 'registered' ? sourceSelect : hostInput;
    },
  };
  fields.source = {wrap: sourceField, step: 1};
  for (const input of sourceKinds) {
    input.addEventListener('change', () => {
      const registered = sourceKind() === 'registered';
      sourceServerField.hidden = !registered;
      hostGroup.hidden = registered;
    });
  }
  sourceSelect.addEventListener('change', () => {
    const s = findServer(sourceSelect.value);
    if (s && s.properties.administratorLogin && !sourceUser.value) sourceUser.value = s.properties.administratorLogin;
  });

  // Target
  const targetSelect = h('select', {id: 'target-server', attrs: {name: 'targetServer'}});
  const targetField = register('target', 2, field('Target server', targetSelect,
    'A registered flexible server: the migration is created on it.'));
  const targetUser = h('input', {id: 'target-user', attrs: {name: 'targetUser', autocomplete: 'off', spellcheck: 'false'}});
  const targetPassword = h('input', {id: 'target-password', attrs: {name: 'targetPassword', type: 'password',
    autocomplete: 'new-password'}});
  const targetUserField = register('targetUser', 2, field('User', targetUser,
    'A user with CREATEDB (and CREATEROLE to migrate roles).'));
  const targetPasswordField = register('targetPassword', 2, field('Password', targetPassword,
    'Stored encrypted by the service, never shown again.'));
  const noTargets = h('p', {class: 'notice', props: {hidden: true}}, 'No flexible server is registered. ',
    h('a', {attrs: {href: '#/servers'}, text: 'Register the target server'}), ' first.');
  targetSelect.addEventListener('change', () => {
    const s = findServer(targetSelect.value);
    if (s && s.properties.administratorLogin && !targetUser.value) targetUser.value = s.properties.administratorLogin;
  });

  // Databases
  const dbList = h('div', {class: 'db-list', id: 'source-databases'});
  const dbStatus = h('p', {class: 'hint', attrs: {'aria-live': 'polite'}});
  const dbFieldset = h('fieldset', {class: 'choice', id: 'databases-fieldset'}, h('legend', {text: 'Databases to migrate'}),
    dbStatus, dbList);
  const dbError = h('p', {class: 'field-error', id: 'databases-error', attrs: {'aria-live': 'polite'}});
  fields.databases = {wrap: {setError: (m) => {
    dbError.textContent = m || '';
  }, control: dbFieldset}, step: 3};
  const overwrite = h('input', {id: 'overwrite', attrs: {type: 'checkbox'}});
  const reload = h('button', {attrs: {type: 'button'}, text: 'Read the list again', on: {click: () => loadDatabases(true)}});

  // Review
  const summary = h('dl', {class: 'overview', id: 'review-summary'});

  const panelNodes = [
    [nameField, modeField, onlineOptions, optionField, h('div', {class: 'field-row'}, startField, endField)],
    [sourceKindField, sourceServerField, hostGroup, sourceUserField, sourcePasswordField, sslField],
    [noTargets, targetField, targetUserField, targetPasswordField],
    [dbFieldset, dbError, reload, h('span', {class: 'choice-item'}, overwrite, h('label', {attrs: {for: overwrite.id},
      text: 'Overwrite databases that already exist on the target (they are dropped and copied again)'}))],
    [h('p', {text: 'Check what will be created. Passwords are sent once and stored encrypted.'}), summary],
  ];
  STEPS.forEach((step, i) => {
    stepList.appendChild(h('li', null, h('button', {attrs: {type: 'button', id: `step-${step.key}`},
      text: `${i + 1}. ${step.title}`, on: {click: () => go(i)}})));
    panels.appendChild(h('section', {class: 'step', id: `panel-${step.key}`,
      attrs: {'aria-labelledby': `panel-${step.key}-title`}, props: {hidden: i !== 0}},
    h('h2', {id: `panel-${step.key}-title`, text: step.title}), panelNodes[i]));
  });

  function selectedMode() {
    return modeInputs.find((i) => i.checked).value;
  }

  function sourceKind() {
    return sourceKinds.find((i) => i.checked).value;
  }

  function findServer(id) {
    return [...servers.flexible, ...servers.single].find((s) => s.id === id);
  }

  async function loadServers() {
    try {
      const [flexible, single] = await Promise.all([api.allFlexibleServers(), api.allSingleServers()]);
      if (stopped) return;
      servers = {flexible: flexible.value, single: single.value};
    } catch (e) {
      formError.textContent = e.message;
      return;
    }
    const label = (s) => `${s.name} (${api.parseId(s.id).resourceGroup}) ${s.properties.fullyQualifiedDomainName}:${
      s.properties.port}`;
    replace(sourceSelect, h('option', {attrs: {value: ''}, text: 'Choose a server'}),
      servers.single.length ? h('optgroup', {attrs: {label: 'Single servers'}},
        servers.single.map((s) => h('option', {attrs: {value: s.id}, text: label(s)}))) : null,
      servers.flexible.length ? h('optgroup', {attrs: {label: 'Flexible servers'}},
        servers.flexible.map((s) => h('option', {attrs: {value: s.id}, text: label(s)}))) : null);
    replace(targetSelect, h('option', {attrs: {value: ''}, text: 'Choose a flexible server'}),
      servers.flexible.map((s) => h('option', {attrs: {value: s.id}, text: label(s)})));
    noTargets.hidden = servers.flexible.length > 0;
    if (servers.single.length + servers.flexible.length === 0) {
      sourceKinds[1].checked = true;
      sourceKinds[1].dispatchEvent(new Event('change'));
    }
  }

  function go(i) {
    if (i < 0 || i >= STEPS.length) return;
    current = i;
    [...panels.children].forEach((p, j) => {
      p.hidden = j !== i;
    });
    [...stepList.querySelectorAll('button')].forEach((b, j) => {
      if (j === i) b.setAttribute('aria-current', 'step');
      else b.removeAttribute('aria-current');
    });
    back.disabled = i === 0;
    next.hidden = i === STEPS.length - 1;
    create.hidden = i !== STEPS.length - 1;
    if (STEPS[i].key === 'databases') loadDatabases(false);
    if (STEPS[i].key === 'review') renderSummary();
    panels.children[i].querySelector('h2').setAttribute('tabindex', '-1');
    panels.children[i].querySelector('h2').focus();
  }

  /** Checks the current step as far as the browser can, then moves on. */
  async function forward() {
    formError.textContent = '';
    const step = STEPS[current].key;
    if (step === 'setup') {
      const problem = migrationNameProblem(nameInput.value);
      nameField.setError(problem);
      if (problem) return nameInput.focus();
      if (windowStart.value && windowEnd.value && new Date(windowEnd.value) <= new Date(windowStart.value)) {
        endField.setError('The end must be after the start.');
        return windowEnd.focus();
      }
      endField.setError('');
    } else if (step === 'source') {
      if (sourceKind() === 'registered' && !sourceSelect.value) {
        sourceServerField.setError('Choose the source server, or give its host and port.');
        return sourceSelect.focus();
      }
      if (sourceKind() === 'host' && !hostInput.value.trim()) {
        hostField.setError('Enter the source\'s host name or IP address.');
        return hostInput.focus();
      }
      sourceServerField.setError('');
      hostField.setError('');
      if (!sourceUser.value.trim()) {
        sourceUserField.setError('Enter the user pgmigrate connects to the source as.');
        return sourceUser.focus();
      }
      sourceUserField.setError('');
    } else if (step === 'target') {
      if (!targetSelect.value) {
        targetField.setError('Choose the target server.');
        return targetSelect.focus();
      }
      targetField.setError('');
      if (!targetUser.value.trim() && !(findServer(targetSelect.value) || {properties: {}}).properties.administratorLogin) {
        targetUserField.setError('Enter the user pgmigrate connects to the target as.');
        return targetUser.focus();
      }
      targetUserField.setError('');
      try {
        const answer = await api.post(`${api.path(targetSelect.value)}/checkMigrationNameAvailability`,
          {name: nameInput.value, type: api.MIGRATION_TYPE});
        if (!answer.nameAvailable) return showError('name', answer.message);
      } catch (e) {
        return showServiceError(e);
      }
    } else if (step === 'databases') {
      if (selectedDatabases().length === 0) {
        fields.databases.wrap.setError('Choose at least one database.');
        return undefined;
      }
      fields.databases.wrap.setError('');
    }
    go(current + 1);
    return undefined;
  }

  function sourceProperties() {
    const p = {};
    const user = sourceUser.value.trim();
    if (sourceKind() === 'registered') {
      p.sourceDbServerResourceId = sourceSelect.value;
    } else {
      let host = hostInput.value.trim();
      if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
      p.sourceDbServerResourceId = `${host}:${portInput.value.trim() || '5432'}@${user}`;
    }
    if (sslSelect.value) p.sslMode = sslSelect.value;
    p.secretParameters = {adminCredentials: {sourceServerPassword: sourcePassword.value}, sourceServerUsername: user};
    return p;
  }

  async function loadDatabases(force) {
    const props = sourceProperties();
    const key = JSON.stringify(props);
    if (!force && key === loadedFor) return;
    const chosen = new Set(selectedDatabases());
    replace(dbList);
    dbStatus.textContent = 'Reading the source\'s databases…';
    try {
      const answer = await api.post(`${api.path(targetSelect.value)}/listSourceDatabases`, {properties: props});
      loadedFor = key;
      dbStatus.textContent = answer.value.length
        ? `${answer.value.length} databases on the source.` : 'The source has no user databases.';
      const all = h('input', {id: 'db-all', attrs: {type: 'checkbox'}});
      const boxes = answer.value.map((d, i) => h('input', {id: `db-${i}`,
        attrs: {type: 'checkbox', name: 'database', value: d.name}, props: {checked: chosen.has(d.name)}}));
      all.addEventListener('change', () => boxes.forEach((b) => {
        b.checked = all.checked;
      }));
      replace(dbList,
        answer.value.length > 1 ? h('span', {class: 'choice-item all'}, all,
          h('label', {attrs: {for: 'db-all'}, text: 'All databases'})) : null,
        boxes.map((b) => h('span', {class: 'choice-item'}, b, h('label', {attrs: {for: b.id}, class: 'db-name',
          text: b.value}))));
    } catch (e) {
      dbStatus.textContent = '';
      showServiceError(e);
    }
  }

  function selectedDatabases() {
    return [...dbList.querySelectorAll('input[name=database]')].filter((b) => b.checked).map((b) => b.value);
  }

  function utc(local) {
    return local ? new Date(local).toISOString() : undefined;
  }

  function body() {
    const p = sourceProperties();
    p.secretParameters.adminCredentials.targetServerPassword = targetPassword.value;
    if (targetUser.value.trim()) p.secretParameters.targetServerUsername = targetUser.value.trim();
    p.dbsToMigrate = selectedDatabases();
    p.migrationMode = selectedMode();
    p.migrationOption = optionSelect.value;
    p.overwriteDbsInTarget = overwrite.checked ? 'True' : 'False';
    if (windowStart.value) p.migrationWindowStartTimeInUtc = utc(windowStart.value);
    if (windowEnd.value) p.migrationWindowEndTimeInUtc = utc(windowEnd.value);
    if (selectedMode() === 'Online') {
      if (setupReplication.checked) p.setupLogicalReplicationOnSourceDbIfNeeded = 'True';
      if (allowFull.checked) p.allowReplicaIdentityFull = 'True';
    }
    return {properties: p};
  }

  function renderSummary() {
    const b = body().properties;
    const target = findServer(targetSelect.value);
    const rows = [
      ['Name', nameInput.value],
      ['Mode', b.migrationMode],
      ['Option', optionSelect.selectedOptions[0].textContent],
      ['Window', b.migrationWindowStartTimeInUtc || b.migrationWindowEndTimeInUtc
        ? `${windowStart.value || 'now'} to ${windowEnd.value || 'open end'}` : 'Start now'],
      ['Source', sourceKind() === 'registered' ? (findServer(sourceSelect.value) || {name: '?'}).name
        : b.sourceDbServerResourceId],
      ['Source user', b.secretParameters.sourceServerUsername],
      ['Target', target ? target.name : '?'],
      ['Target user', b.secretParameters.targetServerUsername || (target && target.properties.administratorLogin) || ''],
      ['SSL mode', b.sslMode || 'the servers\' own'],
      ['Databases', b.dbsToMigrate.join(', ')],
      ['Overwrite existing databases', overwrite.checked ? 'Yes' : 'No'],
    ];
    if (b.migrationMode === 'Online') {
      rows.push(['Set up replication if needed', setupReplication.checked ? 'Yes' : 'No']);
      rows.push(['Allow REPLICA IDENTITY FULL', allowFull.checked ? 'Yes' : 'No']);
    }
    replace(summary, rows.map(([k, v]) => [h('dt', {text: k}), h('dd', {text: v})]));
  }

  function showError(name, message) {
    const f = fields[name];
    if (!f) {
      formError.textContent = message;
      return undefined;
    }
    go(f.step);
    f.wrap.setError(message);
    if (f.wrap.control && f.wrap.control.focus) f.wrap.control.focus();
    return undefined;
  }

  /** Puts the service's error next to the field it names (on that field's step), or above the buttons. */
  function showServiceError(e) {
    const match = ERROR_TARGETS.find(([re]) => re.test(e.target || ''));
    return showError(match ? match[1] : null, e.message);
  }

  async function submit() {
    formError.textContent = '';
    Object.values(fields).forEach((f) => f.wrap.setError(''));
    create.disabled = true;
    try {
      const created = await api.put(`${api.path(targetSelect.value)}/migrations/${encodeURIComponent(nameInput.value)}`,
        body());
      location.hash = `#/migration?id=${encodeURIComponent(created.id)}`;
    } catch (e) {
      showServiceError(e);
    } finally {
      create.disabled = false;
    }
  }

  go(0);
  nameInput.focus();
  loadServers();
  return () => {
    stopped = true;
  };
}
