import { api, session } from '../api.js';
import { h, link, movieCard, otherTitles, personName } from '../dom.js';

export async function renderSearch(container, { query }) {
  const q = query.get('q')?.trim() ?? '';
  const input = document.getElementById('search-input');
  if (document.activeElement !== input) input.value = q;
  container.append(h('h1', {}, q ? `Results for “${q}”` : 'Search'));
  if (!q) {
    container.append(h('p', {}, 'Type a title or a name, in Korean or English, in the search box above.'));
    return;
  }
  const found = await api(`/api/catalog/search?q=${encodeURIComponent(q)}`);
  if (session.signedIn) await markMineOrPredicted(found.movies);
  container.append(
    h('section', { 'aria-labelledby': 'found-films' },
      h('h2', { id: 'found-films' }, `Films (${found.movies.length})`),
      found.movies.length
        ? h('ul', { class: 'cards' }, found.movies.map(film => movieCard(film, otherTitles(film).length ? h('span', { class: 'card-meta' }, otherTitles(film).join(' · ')) : null)))
        : h('p', {}, 'No films match.')),
    h('section', { 'aria-labelledby': 'found-people' },
      h('h2', { id: 'found-people' }, `People (${found.people.length})`),
      found.people.length
        ? h('ul', { class: 'people' }, found.people.map(person => h('li', {}, link(`/people/${person.id}`, personName(person)),
          person.names?.ko && person.names.ko !== personName(person) ? ` (${person.names.ko})` : '')))
        : h('p', {}, 'No people match.')));
}

// My score, or my predicted rating, on each found film; the results stand without them if Ratings does not answer.
async function markMineOrPredicted(films) {
  if (!films.length) return;
  const ids = films.slice(0, 100).map(f => f.id).join(',');
  const [mine, predicted] = await Promise.allSettled([
    api(`/api/ratings/me/movies?ids=${ids}`),
    api(`/api/ratings/me/predictions?movieIds=${ids}`),
  ]);
  const scores = new Map((mine.value?.items ?? []).filter(s => s.score != null).map(s => [s.movieId, s.score]));
  const guesses = new Map((predicted.value?.items ?? []).map(p => [p.movieId, p]));
  for (const film of films) {
    if (scores.has(film.id)) film.myScore = scores.get(film.id);
    else if (guesses.has(film.id)) [film.predicted, film.predictedFrom] = [guesses.get(film.id).predicted, guesses.get(film.id).ratingCount];
  }
}
