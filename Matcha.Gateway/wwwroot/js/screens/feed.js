import { api, session } from '../api.js';
import { filmCards } from '../cards.js';
import { h, link, title } from '../dom.js';
import { after, pagedList } from '../paged.js';

const when = at => new Date(at).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });

// My feed (Social): the ratings, comments and collections' new films of the members I follow, newest first, "more" paging;
// each entry links to the member and to the film (titles from Catalog's cards, one read per page).
export async function renderFeed(container) {
  container.append(h('h1', {}, 'Feed'));
  if (!session.signedIn) {
    container.append(h('p', {}, link('/signin', 'Sign in'), ' to see what the members you follow rate and write.'));
    return;
  }
  container.append(await pagedList({
    load: async cursor => {
      const page = await api(`/api/social/feed?${after(cursor)}`);
      const cards = await filmCards(page.items.map(item => item.movieId));
      return { ...page, items: page.items.map(item => ({ ...item, movie: cards.get(item.movieId) })) };
    },
    item: entry => h('article', { class: 'feed-entry' },
      link(`/members/${entry.member.handle}`, entry.member.displayName),
      { rated: ' rated ', commented: ' commented on ', collected: ' added ' }[entry.kind] ?? ' noted ',
      link(`/movies/${entry.movieId}`, entry.movie ? title(entry.movie) : `Film ${entry.movieId}`),
      entry.kind === 'rated' ? h('span', { class: 'score' }, ` \u2605 ${entry.score.toFixed(1)}`) : null,
      entry.kind === 'collected' && entry.collection ? [' to ', link(`/collections/${entry.collection.id}`, entry.collection.title)] : null,
      h('span', { class: 'hint' }, ` \u00b7 ${when(entry.occurredAt)}`)),
    empty: 'Nothing here yet: follow members from their profiles, and what they rate and write appears here.',
    more: 'More from the members you follow',
    label: 'Feed',
  }));
}
