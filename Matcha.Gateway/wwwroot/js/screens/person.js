import { api, ApiError } from '../api.js';
import { basedOn, h, link, notice, title } from '../dom.js';
import { starDisplay } from '../stars.js';

export async function renderPerson(container, { params }) {
  let screen;
  try {
    screen = await api(`/api/screens/person/${params[0]}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      container.append(h('h1', {}, 'Person not found'), h('p', {}, link('/', 'Back to the home page'), '.'));
      return;
    }
    throw error;
  }
  const person = screen.person;
  if (!person) {
    container.append(h('h1', {}, 'Person'), notice('This page is unavailable right now. Please try again in a moment.'));
    return;
  }
  const names = Object.values(person.names ?? {});
  container.append(...[
    h('h1', {}, person.names?.en ?? names[0] ?? 'Unknown'),
    names.length > 1 ? h('p', { class: 'other-titles' }, names.filter(n => n !== (person.names?.en ?? names[0])).join(' · ')) : null,
    h('h2', {}, 'Filmography'),
    person.filmography.length
      ? h('ul', { class: 'filmography' }, person.filmography.map(entry => h('li', {},
        link(`/movies/${entry.movie.id}`, title(entry.movie)),
        entry.movie.year ? ` (${entry.movie.year})` : '',
        h('span', { class: 'role' }, ` — ${entry.role}${entry.character ? `, ${entry.character}` : ''}`),
        entry.movie.myScore != null
          ? h('span', { class: 'my-score' }, ' ', starDisplay(entry.movie.myScore, `You rated it ${entry.movie.myScore.toFixed(1)} stars`))
          : entry.movie.predicted != null ? h('span', { class: 'card-predicted' }, ` Predicted ★ ${entry.movie.predicted.toFixed(1)}, ${basedOn(entry.movie.predictedFrom)}`) : null)))
      : h('p', {}, 'No films yet.'),
    screen.unavailable.includes('ratings') ? notice('Your ratings are unavailable right now.') : null,
    screen.unavailable.includes('predictions') && screen.reasons?.predictions !== 'not-found' ? notice('Predicted ratings are unavailable right now.') : null,
  ].filter(Boolean));
}
