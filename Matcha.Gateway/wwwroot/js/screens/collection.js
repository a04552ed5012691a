import { announce, navigate } from '../app.js';
import { api, ApiError, session } from '../api.js';
import { h, link, movieCard, notice, title } from '../dom.js';

const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const likeText = n => `♥ ${count(n, 'like', 'likes')}`;

// Catalog's film cards for the ids, in their order, 100 to a read; null when Catalog cannot answer.
async function filmCards(ids) {
  const cards = new Map();
  try {
    for (let i = 0; i < ids.length; i += 100) {
      const page = await api(`/api/catalog/movies/cards?ids=${ids.slice(i, i + 100).join(',')}`);
      for (const card of page.items) cards.set(card.id, card);
    }
  } catch {
    return null;
  }
  return cards;
}

// A collection's page (Social): title, description, owner, like button, and its films in order.
// The owner edits it, makes it private or public, and moves or removes films, all by keyboard too.
export async function renderCollection(container, { params }) {
  const id = params[0];
  if (!session.signedIn) {
    container.append(h('h1', {}, 'Collection'), h('p', {}, link('/signin', 'Sign in'), ' to see members\u2019 collections.'));
    return;
  }
  let collection;
  try {
    collection = await api(`/api/social/collections/${id}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      container.append(h('h1', {}, 'Collection not found'), h('p', {}, 'It may be private or deleted. ', link('/', 'Back to the home page'), '.'));
      return;
    }
    throw error;
  }
  const cards = await filmCards(collection.films);
  const header = h('div', { class: 'collection-head' });
  const films = h('ol', { class: 'cards collection-films', 'aria-label': 'Films in this collection' });

  const fillHeader = () => header.replaceChildren(...[
    h('h1', {}, collection.title, collection.isPublic ? null : h('span', { class: 'tag' }, 'Private')),
    collection.description ? h('p', { class: 'collection-description' }, collection.description) : null,
    h('p', { class: 'collection-owner' }, 'A collection by ', link(`/members/${collection.owner.handle}`, collection.owner.displayName),
      ` · ${count(collection.films.length, 'film', 'films')}`),
    likeButton(collection),
    collection.isMine ? ownerTools(collection, fillHeader) : null,
  ].filter(Boolean));

  // Rebuilt after each change; focus goes back to the control of the film that moved.
  const fillFilms = (focus = null) => {
    films.replaceChildren(...collection.films.map((movieId, place) => {
      const movie = cards?.get(movieId) ?? { id: movieId, titles: { en: `Film ${movieId}` } };
      return movieCard(movie, collection.isMine ? filmTools(collection, movie, place, fillFilms, fillHeader) : null);
    }));
    if (focus) films.querySelector(focus)?.focus();
  };
  fillHeader();
  fillFilms();

  container.append(...[
    header,
    cards ? null : notice('Film titles and posters are unavailable right now.'),
    collection.films.length || collection.isMine ? films : h('p', {}, 'No films here yet.'),
    collection.isMine && !collection.films.length ? h('p', { class: 'hint' }, 'Add films from a film\u2019s page: “Add to collection”.') : null,
  ].filter(Boolean));
}

function likeButton(collection) {
  const button = h('button', {
    type: 'button', class: 'like', 'aria-pressed': String(collection.likedByMe), disabled: collection.isMine,
    title: collection.isMine ? 'You cannot like your own collection' : null,
    onclick: async () => {
      try {
        await api(`/api/social/collections/${collection.id}/like`, { method: collection.likedByMe ? 'DELETE' : 'PUT' });
        collection.likedByMe = !collection.likedByMe;
        collection.likes += collection.likedByMe ? 1 : -1;
        button.setAttribute('aria-pressed', String(collection.likedByMe));
        button.textContent = likeText(collection.likes);
      } catch (error) {
        announce(error.message);
      }
    },
  }, likeText(collection.likes));
  return button;
}

function ownerTools(collection, fillHeader) {
  const save = async change => {
    Object.assign(collection, await api(`/api/social/collections/${collection.id}`, { method: 'PATCH', body: change }));
    fillHeader();
  };
  const form = () => {
    const error = h('p', { class: 'field-error', role: 'alert' });
    const titleInput = h('input', { id: 'collection-title', name: 'title', required: true, maxlength: 100, value: collection.title });
    const description = h('textarea', { id: 'collection-description', name: 'description', maxlength: 1000, rows: 3 }, collection.description);
    const edit = h('form', {
      class: 'collection-edit',
      onsubmit: async event => {
        event.preventDefault();
        try {
          await save({ title: titleInput.value, description: description.value });
          announce('The collection is saved.');
          document.querySelector('.collection-tools .edit')?.focus();
        } catch (failure) {
          error.textContent = failure.message;
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'collection-title' }, 'Title'), titleInput),
    h('div', { class: 'field' }, h('label', { for: 'collection-description' }, 'Description'), description),
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Save'),
      h('button', { type: 'button', onclick: () => { fillHeader(); document.querySelector('.collection-tools .edit')?.focus(); } }, 'Cancel')));
    tools.replaceChildren(edit);
    titleInput.focus();
  };
  const tools = h('div', { class: 'collection-tools' },
    h('button', { type: 'button', class: 'edit', onclick: form }, 'Edit'),
    h('button', {
      type: 'button', class: 'visibility',
      onclick: async () => {
        try {
          await save({ isPublic: !collection.isPublic });
          announce(collection.isPublic ? 'The collection is public.' : 'The collection is private: only you see it.');
          document.querySelector('.collection-tools .visibility')?.focus();
        } catch (error) {
          announce(error.message);
        }
      },
    }, collection.isPublic ? 'Make private' : 'Make public'),
    h('button', {
      type: 'button', class: 'danger',
      onclick: async () => {
        if (!confirm(`Delete the collection “${collection.title}”?`)) return;
        try {
          await api(`/api/social/collections/${collection.id}`, { method: 'DELETE' });
          announce('The collection is deleted.');
          navigate(`/members/${collection.owner.handle}`);
        } catch (error) {
          announce(error.message);
        }
      },
    }, 'Delete collection'));
  return tools;
}

function filmTools(collection, movie, place, fillFilms, fillHeader) {
  const name = title(movie);
  const last = collection.films.length - 1;
  const move = to => async () => {
    try {
      await api(`/api/social/collections/${collection.id}/films/${movie.id}/position`, { method: 'PUT', body: { position: to } });
      collection.films.splice(place, 1);
      collection.films.splice(to, 0, movie.id);
      // The same arrow again, unless the film reached the end that disables it.
      const direction = to < place ? (to === 0 ? 'down' : 'up') : (to === last ? 'up' : 'down');
      fillFilms(`[data-film="${movie.id}"] .move-${direction}`);
      announce(`${name} is now number ${to + 1}.`);
    } catch (error) {
      announce(error.message);
    }
  };
  return h('span', { class: 'film-tools', 'data-film': movie.id },
    h('button', { type: 'button', class: 'move-up', disabled: place === 0, 'aria-label': `Move ${name} up`, onclick: move(place - 1) }, '↑'),
    h('button', { type: 'button', class: 'move-down', disabled: place === last, 'aria-label': `Move ${name} down`, onclick: move(place + 1) }, '↓'),
    h('button', {
      type: 'button', class: 'remove', 'aria-label': `Remove ${name}`,
      onclick: async () => {
        try {
          await api(`/api/social/collections/${collection.id}/films/${movie.id}`, { method: 'DELETE' });
          collection.films.splice(place, 1);
          fillFilms('.film-tools .remove');
          fillHeader();
          announce(`${name} is removed from the collection.`);
        } catch (error) {
          announce(error.message);
        }
      },
    }, 'Remove'));
}

// My collections, for the film screen's picker: every one on one page (at most 100).
async function myCollections() {
  const me = await api('/api/social/me');
  return (await api(`/api/social/members/${me.handle}/collections?pageSize=100`)).items;
}

// "Add to collection" on a film's page: pick one of mine, or name a new one, and the film goes at its end.
export function addToCollection(movieId) {
  const section = h('section', { class: 'add-to-collection', 'aria-labelledby': 'collect-heading' }, h('h2', { id: 'collect-heading' }, 'Collections'));
  const result = h('p', { class: 'collect-result', role: 'status' });
  const open = h('button', {
    type: 'button', 'aria-expanded': 'false',
    onclick: async () => {
      open.setAttribute('aria-expanded', 'true');
      let mine;
      try {
        mine = await myCollections();
      } catch (error) {
        result.textContent = error instanceof ApiError && error.status === 404 ? 'Your profile is being set up; try again in a moment.' : error.message;
        return;
      }
      open.remove();
      section.append(picker(movieId, mine, result));
      section.querySelector('select')?.focus();
    },
  }, 'Add to collection');
  section.append(open, result);
  return section;
}

function picker(movieId, mine, result) {
  const select = h('select', { id: 'collect-choice', name: 'collection' },
    mine.map(c => h('option', { value: c.id }, c.title)),
    h('option', { value: 'new' }, 'New collection…'));
  const newTitle = h('input', { id: 'collect-new-title', name: 'title', maxlength: 100 });
  const newField = h('div', { class: 'field', hidden: mine.length > 0 }, h('label', { for: 'collect-new-title' }, 'New collection\u2019s title'), newTitle);
  select.addEventListener('change', () => { newField.hidden = select.value !== 'new'; });
  if (!mine.length) select.value = 'new';
  return h('form', {
    class: 'collect',
    onsubmit: async event => {
      event.preventDefault();
      try {
        let chosen = mine.find(c => c.id === select.value);
        if (!chosen) {
          chosen = await api('/api/social/collections', { method: 'POST', body: { title: newTitle.value } });
          mine.push(chosen);
          select.insertBefore(h('option', { value: chosen.id }, chosen.title), select.lastChild);
          select.value = chosen.id;
          newField.hidden = true;
          newTitle.value = '';
        }
        await api(`/api/social/collections/${chosen.id}/films/${movieId}`, { method: 'PUT' });
        result.replaceChildren('Added to ', link(`/collections/${chosen.id}`, chosen.title), '.');
        announce(`Added to ${chosen.title}.`);
      } catch (error) {
        result.textContent = error.message;
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'collect-choice' }, 'Collection'), select),
  newField,
  h('button', { type: 'submit' }, 'Add'));
}

// A member's collections for their profile: the ones I may see, newest first, a page at a time.
export async function memberCollections(handle, isMe) {
  const section = h('section', { class: 'member-collections', 'aria-labelledby': 'collections-heading' }, h('h2', { id: 'collections-heading' }, 'Collections'));
  const list = h('ul', { class: 'collection-list' });
  const more = async cursor => {
    const page = await api(`/api/social/members/${handle}/collections?pageSize=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    list.append(...page.items.map(c => h('li', {},
      link(`/collections/${c.id}`, c.title),
      c.isPublic ? null : h('span', { class: 'tag' }, 'Private'),
      h('span', { class: 'card-meta' }, `${count(c.filmCount, 'film', 'films')} · ${likeText(c.likes)}`))));
    section.querySelector('.more')?.remove();
    if (page.nextCursor) {
      section.append(h('button', { type: 'button', class: 'more', onclick: () => more(page.nextCursor).catch(error => announce(error.message)) }, 'More collections'));
    }
    return page.items.length;
  };
  section.append(list);
  try {
    const shown = await more(null);
    if (!shown) section.append(h('p', {}, isMe ? 'You have no collections yet. Add a film to one from its page.' : 'No collections to show.'));
  } catch {
    section.append(notice('Collections are unavailable right now.'));
  }
  return section;
}
