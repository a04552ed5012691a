// Builds elements without innerHTML, so text from the services is never read as markup.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function link(href, ...children) {
  return h('a', { href, 'data-link': true }, ...children);
}

export function notice(text) {
  return h('p', { class: 'notice', role: 'note' }, text);
}

export function title(movie) {
  return movie?.titles?.en ?? movie?.originalTitle ?? movie?.titles?.ko ?? 'Untitled';
}

// Other titles worth showing under the main one: Korean and the original, when they differ.
export function otherTitles(movie) {
  const main = title(movie);
  return [...new Set([movie?.titles?.ko, movie?.originalTitle].filter(t => t && t !== main))];
}

export function personName(person) {
  return person?.names?.en ?? person?.names?.ko ?? Object.values(person?.names ?? {})[0] ?? 'Unknown';
}

export function poster(movie, size = 'card') {
  const name = title(movie);
  if (movie?.posterUrl) {
    return h('img', { class: `poster ${size}`, src: movie.posterUrl, alt: `Poster of ${name}`, loading: 'lazy' });
  }
  return h('div', { class: `poster placeholder ${size}`, role: 'img', 'aria-label': `No poster for ${name}` }, name.slice(0, 1));
}

export function movieCard(movie, extra = null) {
  return h('li', { class: 'card' },
    link(`/movies/${movie.id}`, poster(movie), h('span', { class: 'card-title' }, title(movie))),
    h('span', { class: 'card-meta' }, [movie.year, movie.stats?.average != null ? `★ ${movie.stats.average.toFixed(1)}` : null].filter(Boolean).join(' · ')),
    mineOrPredicted(movie),
    extra);
}

// A signed-in visitor's own score of a film, or, for one they have not rated, their predicted rating.
export function mineOrPredicted(movie) {
  if (movie.myScore != null) return h('span', { class: 'card-mine' }, `You rated ★ ${movie.myScore.toFixed(1)}`);
  if (movie.predicted != null) {
    return h('span', { class: 'card-predicted' }, `Predicted ★ ${movie.predicted.toFixed(1)}, ${basedOn(movie.predictedFrom)}`);
  }
  return null;
}

// How much a prediction rests on, in words: one rating says little, and the model keeps a
// prediction from few ratings close to the film's standing with everyone.
export function basedOn(ratingCount) {
  return ratingCount ? `based on ${ratingCount} rating${ratingCount === 1 ? '' : 's'}` : 'based on everyone\'s ratings';
}

export function formatStars(score) {
  return `${Number(score).toFixed(1)} star${Number(score) === 1 ? '' : 's'}`;
}
