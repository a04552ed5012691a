import { api, session } from '../api.js';
import { h, link, notice, title } from '../dom.js';
import { starDisplay } from '../stars.js';

const states = { wantToWatch: 'Want to watch', watching: 'Watching', notInterested: 'Not interested' };
const filmLink = item => item.movie ? link(`/movies/${item.movieId}`, title(item.movie)) : link(`/movies/${item.movieId}`, `Film ${item.movieId}`);

export async function renderMe(container) {
  if (!session.signedIn) {
    container.append(h('h1', {}, 'My page'), h('p', {}, link('/signin', 'Sign in'), ' to see your ratings, your list and your comments.'));
    return;
  }
  const screen = await api('/api/screens/me');
  container.append(h('h1', {}, session.user?.displayName ?? 'My page'));
  const section = (id, heading, items, row, empty) => h('section', { 'aria-labelledby': id },
    h('h2', { id }, heading),
    items === null
      ? notice(`${heading} are unavailable right now.`)
      : items.length ? h('ul', { class: 'my-list' }, items.map(item => h('li', {}, row(item)))) : h('p', {}, empty));

  container.append(
    section('my-ratings', 'My ratings', screen.ratings, item => [
      filmLink(item), ' ',
      item.score != null ? starDisplay(item.score) : null,
      item.score != null ? h('span', { class: 'score' }, ` ${item.score.toFixed(1)}`) : null,
      item.rejectedReason ? h('span', { class: 'error' }, ` — not counted: ${item.rejectedReason}`) : null,
    ], 'You have not rated any film yet.'),
    section('my-wishlist', 'My list', screen.wishlist, item => [filmLink(item), h('span', { class: 'tag' }, states[item.state] ?? item.state)],
      'Your list is empty.'),
    section('my-comments', 'My comments', screen.comments, item => [
      filmLink(item), item.isSpoiler ? h('span', { class: 'tag' }, 'Spoiler') : null,
      h('p', {}, item.text), h('span', { class: 'hint' }, `${item.likeCount} like${item.likeCount === 1 ? '' : 's'}`),
    ], 'You have not written any comment yet.'));
  container.insertBefore(tasteSection(screen.taste), container.querySelector('section'));
}

const plural = (n, word) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

// 취향분석: how I rate, and what I like, weighted by how much I liked it.
function tasteSection(taste) {
  const content = taste === null
    ? [notice('Your taste analysis is unavailable right now.')]
    : taste.ratingCount === 0
      ? [h('p', {}, 'Rate a few films to see your taste.')]
      : [
        h('p', { class: 'taste-summary' },
          `${plural(taste.ratingCount, 'rating')} · your average ★ ${taste.myAverage.toFixed(1)}`,
          taste.everyonesAverage != null ? ` · everyone's ★ ${taste.everyonesAverage.toFixed(1)}` : ''),
        distribution(taste.distribution),
        h('div', { class: 'taste-lists' },
          favourites('Favourite genres', taste.genres),
          favourites('Favourite countries', taste.countries),
          favourites('Favourite directors', taste.directors),
          favourites('Favourite actors', taste.actors)),
        taste.filmsWithRuntime > 0
          ? h('p', {}, `Time spent on what you rated: ${Math.floor(taste.totalRuntimeMinutes / 60)} h ${taste.totalRuntimeMinutes % 60} min `,
            h('span', { class: 'hint' }, `(${plural(taste.filmsWithRuntime, 'film')} with a known running time)`))
          : null,
      ];
  return h('section', { 'aria-labelledby': 'my-taste', class: 'taste' }, h('h2', { id: 'my-taste' }, 'My taste'), content);
}

// How many of my ratings gave each score, 0.5 to 5.0, as bars (the count is also the bar's text).
function distribution(counts) {
  const most = Math.max(1, ...counts);
  return h('ol', { class: 'bars', 'aria-label': 'How often you gave each score' }, counts.map((count, i) => {
    const score = ((i + 1) / 2).toFixed(1);
    const bar = h('span', { class: 'bar' });
    bar.style.height = `${Math.round(100 * count / most)}%`;   // CSSOM, which the CSP allows
    return h('li', { 'aria-label': `${score} stars: ${plural(count, 'rating')}` },
      h('span', { class: 'bar-count', 'aria-hidden': 'true' }, count || ''), h('span', { class: 'bar-track' }, bar),
      h('span', { class: 'bar-label', 'aria-hidden': 'true' }, score));
  }));
}

function favourites(heading, items) {
  return h('div', {},
    h('h3', {}, heading),
    items.length
      ? h('ol', { class: 'favourites' }, items.slice(0, 5).map(item => h('li', {},
        item.personId != null ? link(`/people/${item.personId}`, item.name) : item.name,
        h('span', { class: 'hint' }, ` ${plural(item.count, 'film')}, ★ ${item.average.toFixed(1)}`))))
      : h('p', { class: 'hint' }, 'Not enough ratings yet.'));
}
