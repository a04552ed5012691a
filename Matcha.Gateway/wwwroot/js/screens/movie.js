import { announce } from '../app.js';
import { api, ApiError, session } from '../api.js';
import { basedOn, h, link, notice, otherTitles, personName, poster, title } from '../dom.js';
import { ratingWidget, starDisplay } from '../stars.js';
import { renderComments } from './comments.js';
import { addToCollection } from './collection.js';

const wishStates = [
  ['wantToWatch', 'Want to watch'],
  ['watching', 'Watching'],
  ['notInterested', 'Not interested'],
];

export async function renderMovie(container, { params }) {
  const id = Number(params[0]);
  let screen;
  try {
    screen = await api(`/api/screens/movie/${id}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      container.append(h('h1', {}, 'Film not found'), h('p', {}, 'This film is not in the catalogue. ', link('/', 'Back to the home page'), '.'));
      return;
    }
    throw error;
  }
  const movie = screen.movie;
  const ratingsDown = screen.unavailable.includes('ratings');

  if (!movie) {
    container.append(h('h1', {}, 'Film'), notice('Film details are unavailable right now. Please try again in a moment.'));
  } else {
    container.append(details(movie));
  }

  const stats = h('section', { class: 'stats', 'aria-labelledby': 'stats-heading' });
  const fillStats = film => stats.replaceChildren(h('h2', { id: 'stats-heading' }, 'Ratings'), ...statistics(film));
  if (movie) fillStats(movie);
  container.append(stats);

  // After a change of mine, Catalog's statistics follow once the event arrives: look again a few times.
  const followStats = async () => {
    for (const delay of [700, 1000, 1500, 2000, 3000, 5000]) {
      await new Promise(resolve => setTimeout(resolve, delay));
      if (!stats.isConnected) return;
      try {
        const again = await api(`/api/screens/movie/${id}`);
        if (again.movie) fillStats(again.movie);
      } catch { /* the next look may work */ }
    }
  };

  const mine = h('section', { class: 'mine', 'aria-labelledby': 'mine-heading' }, h('h2', { id: 'mine-heading' }, 'You'));
  if (!session.signedIn) {
    mine.append(h('p', {}, link('/signin', 'Sign in'), ' to rate this film, add it to your list and read comments.'));
  } else if (ratingsDown || !screen.mine) {
    mine.append(notice('Ratings are unavailable right now. Your rating, your list and comments will be back shortly.'));
  } else {
    mine.append(myRating(id, screen.mine, followStats), wishlist(id, screen.mine));
    // A prediction is for films I have not rated yet; my own score says more than any guess.
    if (screen.mine?.score == null) mine.append(prediction(screen));
  }
  container.append(mine);
  if (session.signedIn && movie) container.append(addToCollection(id));

  if (movie?.credits?.length) container.append(credits(movie.credits));

  const comments = h('section', { class: 'comments', 'aria-labelledby': 'comments-heading' }, h('h2', { id: 'comments-heading' }, 'Comments'));
  if (!session.signedIn) {
    comments.append(h('p', {}, link('/signin', 'Sign in'), ' to read and write comments.'));
  } else if (ratingsDown || !screen.comments) {
    comments.append(notice('Comments are unavailable right now.'));
  } else {
    renderComments(comments, id, screen.comments, screen.mine, followStats);
  }
  container.append(comments);
}

function details(movie) {
  const facts = [
    movie.year,
    movie.runtime ? `${movie.runtime} min` : null,
    movie.genres?.join(', '),
    movie.countries?.join(', '),
  ].filter(Boolean);
  const synopsis = Object.entries(movie.synopsis ?? {});
  return h('section', { class: 'film' },
    poster(movie, 'large'),
    h('div', { class: 'film-text' },
      h('h1', {}, title(movie)),
      otherTitles(movie).length ? h('p', { class: 'other-titles' }, otherTitles(movie).join(' · ')) : null,
      h('p', { class: 'facts' }, facts.join(' · ')),
      !movie.released ? h('p', { class: 'tag' }, movie.releaseDate ? `Coming ${movie.releaseDate}` : 'Not released yet') : null,
      synopsis.map(([language, text]) => h('p', { class: 'synopsis', lang: language }, text))));
}

function statistics(movie) {
  const { average, count, histogram } = movie.stats;
  const most = Math.max(1, ...histogram);
  return [
    h('p', { class: 'average' },
      starDisplay(average ?? 0, average == null ? 'No ratings yet' : `Average ${average.toFixed(1)} stars`),
      h('span', { class: 'average-value' }, average == null ? 'No ratings yet' : `${average.toFixed(1)}`),
      h('span', { class: 'count' }, `${count} rating${count === 1 ? '' : 's'}`)),
    h('ol', { class: 'histogram', 'aria-label': 'How people rated it' },
      histogram.map((n, i) => {
        const bar = h('span', { class: 'bar' });
        bar.style.height = `${(n / most) * 100}%`;
        return h('li', { 'data-score': (i + 1) / 2 },
          bar,
          h('span', { class: 'bar-label', 'aria-hidden': 'true' }, (i + 1) % 2 === 0 ? String((i + 1) / 2) : ''),
          h('span', { class: 'visually-hidden' }, `${((i + 1) / 2).toFixed(1)} stars: ${n}`));
      })),
  ];
}

function myRating(id, mine, followStats) {
  const saved = h('span', { class: 'hint' }, mine.score ? '' : 'Not rated yet');
  const widget = ratingWidget(mine.score, async score => {
    try {
      if (score) await api(`/api/ratings/movies/${id}/rating`, { method: 'PUT', body: { score } });
      else await api(`/api/ratings/movies/${id}/rating`, { method: 'DELETE' });
      saved.textContent = score ? `Saved: ${score.toFixed(1)} stars` : 'Rating removed';
      announce(score ? `Your rating of ${score.toFixed(1)} stars is saved.` : 'Your rating is removed.');
      followStats();
    } catch (error) {
      saved.textContent = error.message;
      announce(error.message);
      throw error;
    }
  });
  return h('div', { class: 'my-rating' }, h('span', { class: 'field-label', id: 'my-rating-label' }, 'My rating'), widget, saved);
}

function wishlist(id, mine) {
  let current = mine.wish;
  const buttons = wishStates.map(([state, text]) => h('button', {
    type: 'button', class: 'toggle', 'aria-pressed': String(current === state),
    onclick: async () => {
      const next = current === state ? null : state;
      try {
        if (next) await api(`/api/ratings/movies/${id}/wishlist`, { method: 'PUT', body: { state: next } });
        else await api(`/api/ratings/movies/${id}/wishlist`, { method: 'DELETE' });
        current = next;
        buttons.forEach((button, i) => button.setAttribute('aria-pressed', String(wishStates[i][0] === current)));
        announce(next ? `Marked as ${text.toLowerCase()}.` : 'Removed from your list.');
      } catch (error) {
        announce(error.message);
      }
    },
  }, text));
  return h('div', { class: 'wishlist', role: 'group', 'aria-label': 'My list' }, buttons);
}

// What a prediction rests on, in words: the model only knows everyone's taste until you rate.
const predictionLabels = {
  personal: 'Predicted for you: ',
  popularity: 'Everyone rates it about: ',
  baseline: 'Expected from your ratings so far: ',
};

function prediction(screen) {
  const predicted = screen.prediction?.predicted;
  const label = predictionLabels[screen.prediction?.basis] ?? predictionLabels.personal;
  return h('p', { class: 'prediction' },
    predicted != null
      ? [h('span', {}, label), h('strong', {}, predicted.toFixed(1)), starDisplay(predicted, `Predicted ${predicted.toFixed(1)} stars`),
        h('span', { class: 'prediction-basis' }, ` ${basedOn(screen.prediction.ratingCount)}`)]
      : 'Your predicted rating is unavailable right now.');
}

function credits(list) {
  const group = (role, heading) => {
    const people = list.filter(c => c.role === role);
    return people.length
      ? h('div', {}, h('h3', {}, heading), h('ul', { class: 'people' }, people.map(c =>
        h('li', {}, link(`/people/${c.personId}`, personName(c)), c.character ? h('span', { class: 'character' }, ` as ${c.character}`) : null))))
      : null;
  };
  return h('section', { class: 'credits', 'aria-labelledby': 'credits-heading' },
    h('h2', { id: 'credits-heading' }, 'Cast and crew'),
    group('director', 'Directed by'), group('cast', 'Cast'), group('writer', 'Written by'));
}
