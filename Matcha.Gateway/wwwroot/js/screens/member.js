import { announce } from '../app.js';
import { api, ApiError, session } from '../api.js';
import { filmCards } from '../cards.js';
import { h, link, notice, poster, title } from '../dom.js';
import { after, pagedList } from '../paged.js';
import { starDisplay } from '../stars.js';
import { memberCollections } from './collection.js';

const count = (n, one, many) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

// A member's profile: name, followers and following (Social, linking to the lists), a follow
// button, how alike we rate (Ratings' taste match), and, unless the profile is private to me,
// their taste summary, ratings and comments (Ratings, by handle) and collections (Social). Each part is its own function
// and fails on its own: a profile without one of them is still a profile.
// Members are seen by members only, so a visitor is asked to sign in.
export async function renderMember(container, { params }) {
  const handle = params[0];
  if (!session.signedIn) {
    container.append(h('h1', {}, 'Member'), h('p', {}, link('/signin', 'Sign in'), ' to see members\u2019 profiles.'));
    return;
  }
  let member;
  try {
    member = await api(`/api/social/members/${handle}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      container.append(h('h1', {}, 'Member not found'), h('p', {}, link('/', 'Back to the home page'), '.'));
      return;
    }
    throw error;
  }
  const closed = member.isPrivate && !member.isMe;
  const privateTag = h('p', { class: 'tag private-tag', hidden: !member.isPrivate }, 'Private profile');
  container.append(...[
    h('h1', {}, member.displayName),
    privateTag,
    followCounts(handle, member, closed),
    member.isMe ? privacySwitch(member, privateTag) : followButton(handle, member),
    member.isMe ? null : await tasteMatch(handle),
  ].filter(Boolean));
  if (closed) {
    container.append(notice(`${member.displayName}\u2019s profile is private: only their name and counts are shown.`));
    return;
  }
  const [taste, ratings, comments, collections] = await Promise.all([
    tasteSummary(handle), ratingsSection(handle), commentsSection(handle), memberCollections(handle, member.isMe)]);
  container.append(taste, collections, ratings, comments);
}

// "12 followers · 3 following", each a link to its list unless the profile is closed to me.
function followCounts(handle, member, closed) {
  const followers = count(member.followers, 'follower', 'followers');
  const following = `${member.following.toLocaleString('en')} following`;
  return h('p', { class: 'member-counts' },
    closed ? h('span', { class: 'followers' }, followers) : link(`/members/${handle}/followers`, h('span', { class: 'followers' }, followers)),
    ' \u00b7 ',
    closed ? following : link(`/members/${handle}/following`, following));
}

function followButton(handle, member) {
  let following = member.followedByMe;
  const button = h('button', {
    type: 'button', class: 'follow', 'aria-pressed': String(following),
    onclick: async () => {
      try {
        await api(`/api/social/members/${handle}/follow`, { method: following ? 'DELETE' : 'PUT' });
        following = !following;
        member.followers += following ? 1 : -1;
        button.setAttribute('aria-pressed', String(following));
        button.textContent = following ? 'Following' : 'Follow';
        button.closest('.screen')?.querySelector('.followers')?.replaceChildren(count(member.followers, 'follower', 'followers'));
        announce(following ? `You follow ${member.displayName}.` : `You no longer follow ${member.displayName}.`);
      } catch (error) {
        announce(error.message);
      }
    },
  }, following ? 'Following' : 'Follow');
  return button;
}

// My own profile: whether others see my ratings, comments, taste and lists (Social's flag).
function privacySwitch(member, privateTag) {
  const box = h('input', { type: 'checkbox', id: 'profile-private', checked: member.isPrivate });
  box.addEventListener('change', async () => {
    box.disabled = true;
    try {
      const profile = await api('/api/social/me/privacy', { method: 'PUT', body: { private: box.checked } });
      box.checked = profile.isPrivate;
      privateTag.hidden = !profile.isPrivate;
      announce(profile.isPrivate
        ? 'Your profile is private: others see your name and counts only.'
        : 'Your profile is public again.');
    } catch (error) {
      box.checked = !box.checked;
      announce(error.message);
    } finally {
      box.disabled = false;
    }
  });
  return h('div', { class: 'privacy' },
    h('p', {}, 'This is your profile as other members see it.'),
    h('label', { class: 'inline', for: 'profile-private' }, box, 'Private profile: others see only my name and counts'));
}

// Ratings' comparison of our scores; a page without it is still a profile.
async function tasteMatch(handle) {
  let match;
  try {
    match = await api(`/api/ratings/members/${handle}/taste-match`);
  } catch {
    return h('p', { class: 'taste-match' }, 'Taste match is unavailable right now.');
  }
  return match.percent == null
    ? h('p', { class: 'taste-match' }, `Not enough films in common yet for a taste match: ${match.inCommon} of ${match.needed} rated by you both.`)
    : h('p', { class: 'taste-match' }, h('strong', {}, `Taste match ${match.percent} %`), ` \u00b7 ${count(match.inCommon, 'film', 'films')} rated by you both`);
}

// Counts, how they rate by half star, their average and favourite genres (Ratings' summary).
async function tasteSummary(handle) {
  const section = content => h('section', { 'aria-labelledby': 'member-taste', class: 'taste' }, h('h2', { id: 'member-taste' }, 'Taste'), content);
  let taste;
  try {
    taste = await api(`/api/ratings/members/${handle}/taste`);
  } catch {
    return section(notice('The taste summary is unavailable right now.'));
  }
  const counts = h('p', { class: 'taste-summary' }, [
    count(taste.ratings, 'rating', 'ratings'), count(taste.comments, 'comment', 'comments'), `${taste.wantToWatch.toLocaleString('en')} want to watch`,
    taste.average != null ? `average \u2605 ${taste.average.toFixed(1)}` : null,
  ].filter(Boolean).join(' \u00b7 '));
  if (taste.ratings === 0) return section([counts]);
  return section([
    counts,
    scoreBars(taste.distribution),
    taste.genres.length
      ? h('p', { class: 'favourite-genres' }, 'Favourite genres: ', taste.genres.map(g => g.name).join(', '))
      : null,
  ].filter(Boolean));
}

// How many of their ratings gave each score, 0.5 to 5.0, as bars (each bar's count is in its label).
function scoreBars(counts) {
  const most = Math.max(1, ...counts);
  return h('ol', { class: 'bars', 'aria-label': 'How often they gave each score' }, counts.map((n, i) => {
    const score = ((i + 1) / 2).toFixed(1);
    const bar = h('span', { class: 'bar' });
    bar.style.height = `${Math.round(100 * n / most)}%`;   // CSSOM, which the CSP allows
    return h('li', { 'aria-label': `${score} stars: ${count(n, 'rating', 'ratings')}` },
      h('span', { class: 'bar-count', 'aria-hidden': 'true' }, n || ''), h('span', { class: 'bar-track' }, bar),
      h('span', { class: 'bar-label', 'aria-hidden': 'true' }, score));
  }));
}

// A page of a list that names films, with Catalog's card of each (one read per page).
const withCards = async page => {
  const cards = await filmCards(page.items.map(item => item.movieId));
  return { ...page, items: page.items.map(item => ({ ...item, movie: cards.get(item.movieId) })) };
};
const filmLink = item => link(`/movies/${item.movieId}`, item.movie ? title(item.movie) : `Film ${item.movieId}`);

async function listSection(id, heading, list) {
  let content;
  try {
    content = await list();
  } catch {
    content = notice(`${heading} are unavailable right now.`);
  }
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, heading), content);
}

function ratingsSection(handle) {
  return listSection('member-ratings', 'Ratings', () => pagedList({
    load: async cursor => withCards(await api(`/api/ratings/members/${handle}/ratings?${after(cursor)}`)),
    item: rating => h('div', { class: 'member-rating' },
      link(`/movies/${rating.movieId}`, poster(rating.movie, 'thumb'), h('span', { class: 'member-rating-title' }, rating.movie ? title(rating.movie) : `Film ${rating.movieId}`)),
      h('span', {}, starDisplay(rating.score), h('span', { class: 'score' }, ` ${rating.score.toFixed(1)}`))),
    empty: 'No ratings yet.',
    more: 'More ratings',
    label: 'Ratings',
  }));
}

function commentsSection(handle) {
  return listSection('member-comments', 'Comments', () => pagedList({
    load: async cursor => withCards(await api(`/api/ratings/members/${handle}/comments?${after(cursor)}`)),
    item: comment => h('article', { class: 'comment' },
      h('p', { class: 'comment-meta' }, filmLink(comment), comment.isSpoiler ? h('span', { class: 'tag' }, 'Spoiler') : null),
      h('div', { class: 'comment-body' }, comment.text != null
        ? h('p', {}, comment.text)
        : h('p', { class: 'spoiler-warning' }, 'Contains spoilers: read it on the film\u2019s page.')),
      h('span', { class: 'hint' }, count(comment.likeCount, 'like', 'likes'))),
    empty: 'No comments yet.',
    more: 'More comments',
    label: 'Comments',
  }));
}
