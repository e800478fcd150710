// Pieces of the migration resource as the pages show them.
import {h} from './dom.js';
import {parseId} from './api.js';

const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled', 'ValidationFailed']);

export function isTerminal(state) {
  return TERMINAL.has(state);
}

export function status(m) {
  const s = (m.properties && m.properties.currentStatus) || {};
  const sub = s.currentSubStateDetails || {};
  return {state: s.state || '', error: s.error || '', subState: sub.currentSubState || '',
    dbDetails: sub.dbDetails || {}, validation: sub.validationDetails || null};
}

/** A state as a coloured badge; the colour repeats what the text says. */
export function stateBadge(state) {
  const kind = {Succeeded: 'ok', Failed: 'bad', ValidationFailed: 'bad', Canceled: 'muted', Canceling: 'muted',
    WaitingForUserAction: 'wait', WaitingForCutoverTrigger: 'wait', Warning: 'wait', InProgress: 'busy',
    CleaningUp: 'busy'}[state] || 'busy';
  return h('span', {class: `badge badge-${kind}`, text: state || '–'});
}

/** The source as the user gave it: a registered server's name, host:port@user, or the FQDN override. */
export function sourceLabel(m) {
  const p = m.properties || {};
  if (p.sourceDbServerFullyQualifiedDomainName) return p.sourceDbServerFullyQualifiedDomainName;
  const id = p.sourceDbServerResourceId || '';
  if (id.toLowerCase().startsWith('/subscriptions/')) return parseId(id).server || id;
  return id || '–';
}

export function targetLabel(m) {
  const p = m.properties || {};
  return p.targetDbServerFullyQualifiedDomainName
    ? `${parseId(m.id).server} (${p.targetDbServerFullyQualifiedDomainName})` : parseId(m.id).server;
}

export function startTime(m) {
  const p = m.properties || {};
  return p.migrationWindowStartTimeInUtc || (m.systemData && m.systemData.createdAt) || null;
}

/** When it ended: the last database's end, else the last change; null while it runs. */
export function endTime(m) {
  const s = status(m);
  if (!isTerminal(s.state)) return null;
  const ends = Object.values(s.dbDetails).map((d) => d.endedOn).filter(Boolean).sort();
  return ends.length ? ends[ends.length - 1] : (m.systemData && m.systemData.lastModifiedAt) || null;
}

export function durationMs(m) {
  const start = startTime(m);
  if (!start) return null;
  const end = endTime(m);
  const ms = (end ? new Date(end) : new Date()) - new Date(start);
  return ms < 0 ? null : ms;
}

export function detailsHref(m) {
  return `#/migration?id=${encodeURIComponent(m.id)}`;
}

/** Offline, Online */
export function mode(m) {
  return (m.properties && m.properties.migrationMode) || 'Offline';
}

export function option(m) {
  const o = (m.properties && m.properties.migrationOption) || '';
  return {ValidateAndMigrate: 'Validate and migrate', Validate: 'Validate', Migrate: 'Migrate'}[o] || o;
}

/** The name rule of the service (MigrationNames), to say what is wrong while the user types. */
export function migrationNameProblem(name) {
  if (!name) return 'Enter a name: letters, digits and hyphens, such as migration1.';
  if (name.length > 63) return `The name is ${name.length} characters long; the limit is 63.`;
  if (name.startsWith('-')) return 'The name starts with a hyphen; it must start with a letter or digit.';
  const bad = [...name].find((c) => !/[A-Za-z0-9-]/.test(c));
  if (bad !== undefined) {
    return `The name contains '${bad}'. It accepts only letters, digits and hyphens (-), and can't start with a hyphen.`;
  }
  return null;
}
