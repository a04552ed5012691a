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
}
