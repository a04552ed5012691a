import { announce } from '../app.js';
import { api, session } from '../api.js';
import { h, link, notice, poster, title } from '../dom.js';
import { ratingWidget } from '../stars.js';

// Rate to start: batches of well-known films, those that teach the model most first. Each film is
// rated (half stars, the same slider as a film's page), marked "haven't seen" (kept by Ratings,
// never offered again) or skipped (for this visit). Keys, on a film: 1–5 rate that many stars,
// the arrows move half a star (saved when they rest), N haven't seen, S skip. Done with a film,
// focus moves to the next; done with the batch, the next batch comes.
export async function renderRate(container) {
  if (!session.signedIn) {
    container.append(h('h1', {}, 'Rate to start'), h('p', {}, link('/signin', 'Sign in'), ' to rate films and get predictions.'));
    return;
  }
  const skipped = new Set();
  const progress = h('p', { class: 'rate-progress', 'aria-live': 'polite' });
  const list = h('ol', { class: 'rate-list' });
  container.append(
    h('h1', {}, 'Rate to start'),
    h('p', { class: 'hint', id: 'rate-keys' }, 'Keys on a film: 1–5 stars, ← → half a star, N haven\'t seen, S skip.'),
    progress, list,
    h('p', {}, link('/', 'Done for now: go home')));

  let rated = 0;
  const showProgress = () => {
    progress.textContent = rated >= 20
      ? `${rated} rated — your predictions are sharper now. Keep going, or go home to see them.`
      : `${rated} rated — predictions get sharper at 20`;
  };

  const loadBatch = async () => {
    const skip = [...skipped].slice(-100).join(',');
    const screen = await api(`/api/screens/rate-to-start${skip ? `?skip=${skip}` : ''}`);
    if (screen.rated != null) rated = screen.rated;
    showProgress();
    if (!screen.films) {
      list.replaceChildren(notice(screen.unavailable.includes('catalog')
        ? 'The film catalogue is unavailable right now. Please try again in a moment.'
        : 'Ratings are unavailable right now. Please try again in a moment.'));
      return;
    }
    if (screen.films.length === 0) {
      list.replaceChildren(h('li', {}, 'That is every film we have to offer here. ', link('/search', 'Search'), ' for more.'));
      return;
    }
    list.replaceChildren(...screen.films.map(film => filmRow(film)));
    list.querySelector('.rating-input')?.focus();
  };

  // A film leaves the batch: focus goes to the next one still open, or the next batch loads.
  const finish = (row, text) => {
    row.classList.add('done');
    row.replaceChildren(h('span', { class: 'rate-title' }, row.dataset.title), h('span', { class: 'rate-outcome' }, text));
    const next = list.querySelector('li:not(.done):not(.busy) .rating-input');
    if (next) next.focus();
    else loadBatch().catch(error => list.replaceChildren(h('li', { class: 'error', role: 'alert' }, error.message)));
  };

  const filmRow = film => {
    const name = title(film);
    const row = h('li', { class: 'rate-film', 'data-title': name });
    const rate = async score => {
      await api(`/api/ratings/movies/${film.id}/rating`, { method: 'PUT', body: { score } });
      rated += 1;
      showProgress();
      announce(`${name}: ${score.toFixed(1)} stars saved.`);
      finish(row, `★ ${score.toFixed(1)}`);
    };
    const unseen = async () => {
      await api(`/api/ratings/movies/${film.id}/unseen`, { method: 'PUT' });
      announce(`${name}: marked as not seen.`);
      finish(row, 'Haven\'t seen');
    };
    const skip = () => {
      skipped.add(film.id);
      finish(row, 'Skipped');
    };
    // One answer per film: a second key while the first is being saved goes to the next film.
    const guard = action => async (...args) => {
      row.classList.add('busy');
      try {
        await action(...args);
      } catch (error) {
        announce(error.message);
        throw error;
      } finally {
        row.classList.remove('busy');
      }
    };
    const slider = ratingWidget(null, guard(async score => { if (score) await rate(score); }));
    slider.setAttribute('aria-label', `My rating of ${name}`);
    slider.setAttribute('aria-describedby', 'rate-keys');
    row.actions = { rate: score => guard(rate)(score).catch(() => {}), unseen: () => guard(unseen)().catch(() => {}), skip };
    row.append(
      link(`/movies/${film.id}`, poster(film)),
      h('span', { class: 'rate-title' }, name, film.year ? h('span', { class: 'card-meta' }, film.year) : null),
      slider,
      h('span', { class: 'rate-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => guard(unseen)().catch(() => {}) }, 'Haven\'t seen'),
        h('button', { type: 'button', class: 'secondary', onclick: skip }, 'Skip')));
    return row;
  };

  // The keys act on the film that has focus, or, when focus is elsewhere on the page (a row just
  // answered takes its focus with it), on the first film still open. Listening on the document,
  // for as long as this screen is on the page.
  const onKey = event => {
    if (!list.isConnected) {
      document.removeEventListener('keydown', onKey);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target && target !== document.body && !target.closest('.rate-film')) return;   // typing in the search box, say
    if (target?.closest('button')) return;
    const open = '.rate-film:not(.done):not(.busy)';
    const row = target?.closest(open) ?? list.querySelector(open);
    if (!row?.actions) return;
    const key = event.key.toLowerCase();
    if (key.length === 1 && key >= '1' && key <= '5') row.actions.rate(Number(key));
    else if (key === 'n') row.actions.unseen();
    else if (key === 's') row.actions.skip();
    else return;
    event.preventDefault();
  };
  document.addEventListener('keydown', onKey);

  await loadBatch();
  // The app focuses the new screen once it is on the page; this screen's place to start is the first film.
  setTimeout(() => list.querySelector('.rating-input')?.focus(), 0);
}
