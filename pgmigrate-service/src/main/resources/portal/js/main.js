// The portal's shell: sign-in (pasted token, or /portal/login#token=...), sign-out, and the hash router.
import {ApiError, call, token, whenUnauthorized} from './api.js';
import {h, field, replace} from './dom.js';
import {showMigrations} from './migrations.js';
import {showDetails} from './details.js';
import {showWizard} from './wizard.js';
import {showServers} from './servers.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOutButton = document.getElementById('sign-out');

/** The current page's clean-up (timers, charts), run before the next page is shown. */
let leave = () => {};

const routes = {
  migrations: showMigrations,
  migration: showDetails,
  create: showWizard,
  servers: showServers,
};

function takeTokenFromLoginUrl() {
  // /portal/login#token=...: the token is in the fragment, which the browser never sends, so it reaches no log.
  if (!location.pathname.replace(/\/+$/, '').endsWith('/login')) return;
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const t = params.get('token');
  if (t) token.set(t.trim());
  // drop the token from the address bar and from the history
  history.replaceState(null, '', '/portal/#/migrations');
}

function route() {
  leave();
  leave = () => {};
  if (!token.get()) {
    showSignIn();
    return;
  }
  nav.hidden = false;
  signOutButton.hidden = false;
  const hash = location.hash.replace(/^#\/?/, '');
  const [name, query] = hash.split('?');
  const page = routes[name] ? name : 'migrations';
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.route === page || (page === 'migration' && a.dataset.route === 'migrations')) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  replace(main);
  const cleanup = routes[page](main, new URLSearchParams(query || ''));
  if (typeof cleanup === 'function') leave = cleanup;
}

function showSignIn(message) {
  nav.hidden = true;
  signOutButton.hidden = true;
  document.title = 'Sign in - pgmigrate portal';
  const input = h('input', {attrs: {type: 'password', name: 'token', autocomplete: 'off', required: true,
    spellcheck: 'false'}});
  const tokenField = field('Access token', input, 'The bearer token of the service: the file "token" in its data '
    + 'directory. `pgmigrate portal` prints a sign-in link that fills it in.');
  const status = h('p', {class: 'form-error', attrs: {role: 'alert'}, text: message || ''});
  const form = h('form', {class: 'signin-form', attrs: {'aria-labelledby': 'signin-title', novalidate: true},
    on: {submit: async (e) => {
      e.preventDefault();
      const candidate = input.value.trim();
      if (!candidate) {
        tokenField.setError('Paste the token first.');
        input.focus();
        return;
      }
      tokenField.setError('');
      try {
        // any authenticated read proves the token; this one shows nothing
        await call('GET', '/healthz', null, null, candidate);
      } catch (err) {
        tokenField.setError(err instanceof ApiError && err.status === 401
          ? 'The service refused this token. Copy it again from the data directory\'s "token" file.'
          : err.message);
        input.focus();
        return;
      }
      token.set(candidate);
      location.hash = '#/migrations';
      route();
    }}},
  tokenField,
  h('button', {class: 'primary', attrs: {type: 'submit'}, text: 'Sign in'}));
  replace(main, h('section', {class: 'signin'},
    h('h1', {id: 'signin-title', text: 'Sign in to pgmigrate'}),
    h('p', {text: 'The portal of this pgmigrate service: create, watch and cut over migrations. The token is kept '
      + 'for this browser tab only.'}),
    status, form));
  input.focus();
}

function signOut() {
  token.clear();
  leave();
  leave = () => {};
  history.replaceState(null, '', '/portal/');
  showSignIn();
}

whenUnauthorized(() => {
  token.clear();
  leave();
  leave = () => {};
  showSignIn('The service refused the token of this tab (it may have been replaced). Sign in again.');
});

signOutButton.addEventListener('click', signOut);
window.addEventListener('hashchange', route);
takeTokenFromLoginUrl();
route();
