import { api, session } from '../api.js';
import { h, link, movieCard, notice } from '../dom.js';

const rankings = [
  ['top-rated', 'Top rated'],
  ['most-wished', 'Most wished'],
  ['trending', 'Trending'],
];

export async function renderHome(container) {
  const screen = await api('/api/screens/home');
  container.append(h('h1', { class: 'visually-hidden' }, 'Matcha'));

  if (session.signedIn) {
    const picks = screen.recommended;
    // Few ratings (no model yet, or predictions from under 20 of mine): rating quickly is the way in.
    if (picks === null || picks.every(film => (film.predictedFrom ?? 0) < 20)) {
      container.append(h('p', { class: 'intro rate-invite' },
        'The more films you rate, the better Matcha knows your taste. ', link('/rate', 'Rate to start'), ': a few quick batches of well-known films.'));
    }
    container.append(h('section', { 'aria-labelledby': 'recommended' },
      h('h2', { id: 'recommended' }, 'Recommended for you'),
      picks === null
        ? screen.reasons?.predictions === 'not-found'
          ? h('p', {}, 'Recommendations appear once Matcha has learnt from everyone\'s ratings. Rate a few films meanwhile.')
          : notice('Recommendations are unavailable right now.')
        : picks.length === 0
          ? h('p', {}, 'Nothing left to recommend: you have rated every film we know.')
          : h('ul', { class: 'cards' }, picks.map(film => movieCard(film)))));

    const films = screen.continueRating;
    container.append(h('section', { 'aria-labelledby': 'continue-rating' },
      h('h2', { id: 'continue-rating' }, 'Continue rating'),
      films === null
        ? notice(unavailableText(screen, 'Films to rate are'))
        : films.length === 0
          ? h('p', {}, 'You have rated every popular film. Try searching for more.')
          : h('ul', { class: 'cards' }, films.map(film => movieCard(film)))));
  } else {
    container.append(h('p', { class: 'intro' },
      'Rate films in half stars, keep a list of what to watch, and see what others think. ',
      link('/signup', 'Sign up'), ' or ', link('/signin', 'sign in'), ' to start.'));
  }

  // A ranking fills with ratings; until then it is left out rather than shown empty, and the
  // rows below, which need none, make the page.
  for (const [kind, heading] of rankings) {
    const list = screen.rankings?.[kind];
    if (list && !list.items?.length) continue;
    container.append(h('section', { 'aria-labelledby': `ranking-${kind}` },
      h('h2', { id: `ranking-${kind}` }, heading),
      list ? h('ol', { class: 'cards ranked' }, list.items.map(film => movieCard(film))) : notice(unavailableText(screen, 'This list is'))));
  }

  if (!screen.shelves) {
    container.append(notice(unavailableText(screen, 'New releases and films by genre are')));
    return;
  }
  for (const shelf of screen.shelves.filter(s => s.items.length)) {
    container.append(h('section', { 'aria-labelledby': `shelf-${shelf.id}`, class: 'shelf' },
      h('h2', { id: `shelf-${shelf.id}` }, shelf.names.en ?? shelf.names.ko ?? shelf.id),
      h('ul', { class: 'cards' }, shelf.items.map(film => movieCard(film)))));
  }
}

function unavailableText(screen, what) {
  return screen.unavailable.includes('catalog')
    ? 'The film catalogue is unavailable right now. Please try again in a moment.'
    : `${what} unavailable right now.`;
}
