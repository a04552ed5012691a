import { announce } from '../app.js';
import { api, ApiError, session } from '../api.js';
import { h, link } from '../dom.js';
import { memberCollections } from './collection.js';

const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// A member's profile (Social): their name, followers and following, a follow button, and how
// alike we rate (Ratings' taste match).
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

  const followers = h('span', { class: 'followers' }, count(member.followers, 'follower', 'followers'));
  let following = member.followedByMe;
  const button = member.isMe ? null : h('button', {
    type: 'button', class: 'follow', 'aria-pressed': String(following),
    onclick: async () => {
      try {
        await api(`/api/social/members/${handle}/follow`, { method: following ? 'DELETE' : 'PUT' });
        following = !following;
        member.followers += following ? 1 : -1;
        button.setAttribute('aria-pressed', String(following));
        button.textContent = following ? 'Following' : 'Follow';
        followers.textContent = count(member.followers, 'follower', 'followers');
        announce(following ? `You follow ${member.displayName}.` : `You no longer follow ${member.displayName}.`);
      } catch (error) {
        announce(error.message);
      }
    },
  }, following ? 'Following' : 'Follow');

  container.append(...[
    h('h1', {}, member.displayName),
    h('p', { class: 'member-counts' }, followers, ' · ', count(member.following, 'following', 'following')),
    member.isMe ? h('p', {}, 'This is your profile as other members see it.') : button,
    member.isMe ? null : await tasteMatch(handle),
  ].filter(Boolean));
  container.append(await memberCollections(handle, member.isMe));
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
    : h('p', { class: 'taste-match' }, h('strong', {}, `Taste match ${match.percent} %`), ` · ${count(match.inCommon, 'film', 'films')} rated by you both`);
}
