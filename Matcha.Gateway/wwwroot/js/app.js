import { restoreSession, session, signOut } from './api.js';
import { h, link } from './dom.js';
import { renderHome } from './screens/home.js';
import { renderMovie } from './screens/movie.js';
import { renderPerson } from './screens/person.js';
import { renderMe } from './screens/me.js';
import { renderSearch } from './screens/search.js';
import { renderMember } from './screens/member.js';
import { renderFollowers, renderFollowing } from './screens/follows.js';
import { renderFeed } from './screens/feed.js';
import { renderRate } from './screens/rate.js';
import { renderCollection } from './screens/collection.js';
import { renderCheckEmail, renderSignIn, renderSignUp, renderVerify } from './screens/auth.js';

const views = {
  home: renderHome, search: renderSearch, movie: renderMovie, person: renderPerson, me: renderMe, member: renderMember, rate: renderRate, collection: renderCollection,
  followers: renderFollowers, following: renderFollowing, feed: renderFeed,
  signIn: renderSignIn, signUp: renderSignUp,
  checkEmail: renderCheckEmail, verify: renderVerify,
};

// The routes are declared once, in routes.json: the gateway serves the page at the same paths.
// A path is literal segments and {name:int} or {name:guid} parameters, which the screen gets as params.
const routes = Object.entries(await (await fetch('/js/routes.json')).json())
  .map(([path, view]) => [new RegExp(`^${path.replace(/\{\w+:int\}/g, '(\\d+)').replace(/\{\w+:guid\}/g, '([0-9a-fA-F-]{36})')}$`), views[view]]);

const main = document.getElementById('main');
let rendering = 0;

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  return render();
}

export function announce(text) {
  const status = document.getElementById('status');
  status.textContent = text;
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => { status.textContent = ''; }, 6000);
}

// Renders the screen for the current address; a newer navigation wins over a slower older one.
export async function render({ focus = true } = {}) {
  const turn = ++rendering;
  const url = new URL(location.href);
  const [match, screen] = routes.map(([pattern, view]) => [url.pathname.match(pattern), view]).find(([m]) => m) ?? [null, renderNotFound];
  const content = h('div', { class: 'screen' });
  try {
    await screen(content, { params: match?.slice(1) ?? [], query: url.searchParams, isCurrent: () => turn === rendering });
  } catch (error) {
    content.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message || 'Something went wrong.'));
  }
  if (turn !== rendering) return;
  main.replaceChildren(content);
  const heading = content.querySelector('h1');
  document.title = heading ? `${heading.textContent} · Matcha` : 'Matcha';
  if (focus) main.focus({ preventScroll: false });
}

function renderNotFound(container) {
  container.append(h('h1', {}, 'Page not found'), h('p', {}, 'There is nothing at this address. ', link('/', 'Go to the home page'), '.'));
}

function renderAccount() {
  const nav = document.querySelector('.account');
  if (session.signedIn) {
    nav.replaceChildren(
      link('/feed', 'Feed'),
      link('/me', session.user?.displayName ?? 'My page'),
      h('button', {
        type: 'button', class: 'link-button', onclick: async () => {
          try {
            await signOut();
            announce('You are signed out.');
            navigate('/');
          } catch (error) {
            announce(error.message);
          }
        },
      }, 'Sign out'));
  } else {
    nav.replaceChildren(link('/signin', 'Sign in'), link('/signup', 'Sign up'));
  }
}

function wireSearchBox() {
  const form = document.querySelector('form.search');
  const input = document.getElementById('search-input');
  let timer;
  const go = () => {
    const q = input.value.trim();
    const path = q ? `/search?q=${encodeURIComponent(q)}` : '/search';
    const onSearch = location.pathname === '/search';
    navigate(path, { replace: onSearch }).then(() => input.focus());
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(go, 250);   // results as you type, once typing pauses
  });
  form.addEventListener('submit', event => {
    event.preventDefault();
    clearTimeout(timer);
    go();
  });
}

document.addEventListener('click', event => {
  const anchor = event.target.closest('a[data-link]');
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  document.getElementById('status').textContent = '';   // an announcement belongs to the screen it was made on
  navigate(anchor.getAttribute('href'));
});
window.addEventListener('popstate', () => render());

session.onChange(renderAccount);
wireSearchBox();
await restoreSession();
renderAccount();
await render({ focus: false });
document.body.dataset.ready = 'true';
