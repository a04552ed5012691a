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
  container.append(...[
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
        : h('p', {}, 'No people match.')),
    session.signedIn ? await membersSection(q) : null,
  ].filter(Boolean));
}

// Members by display name (Social, for signed-in members only); the films and people stand without it.
async function membersSection(q) {
  const found = await api(`/api/social/members?query=${encodeURIComponent(q.slice(0, 50))}`).catch(() => null);
  return h('section', { 'aria-labelledby': 'found-members' },
    h('h2', { id: 'found-members' }, found ? `Members (${found.items.length})` : 'Members'),
    !found ? h('p', {}, 'Members cannot be searched right now.')
      : found.items.length ? h('ul', { class: 'people' }, found.items.map(member => h('li', {}, link(`/members/${member.handle}`, member.displayName))))
        : h('p', {}, 'No members match.'));
}

// My score, or my predicted rating, on each found film, from one batch read; the results stand without them if Ratings does not answer.
async function markMineOrPredicted(films) {
  if (!films.length) return;
  const ids = films.slice(0, 100).map(f => f.id).join(',');
  const mine = await api(`/api/ratings/me/movies?ids=${ids}`).catch(() => null);
  const states = new Map((mine?.items ?? []).map(s => [s.movieId, s]));
  for (const film of films) {
    const state = states.get(film.id);
    if (state?.score != null) film.myScore = state.score;
    else if (state?.predicted != null) [film.predicted, film.predictedFrom] = [state.predicted, state.ratingCount];
  }
}
