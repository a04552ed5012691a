import { api, ApiError, session } from '../api.js';
import { h, link } from '../dom.js';
import { after, pagedList } from '../paged.js';

// Who follows a member, and whom they follow (Social), newest first with "more" paging; each
// name links to that member's profile. A private member's lists are theirs alone (403).
export const renderFollowers = (container, route) => renderFollows(container, route, 'followers');
export const renderFollowing = (container, route) => renderFollows(container, route, 'following');

async function renderFollows(container, { params }, which) {
  const handle = params[0];
  if (!session.signedIn) {
    container.append(h('h1', {}, 'Members'), h('p', {}, link('/signin', 'Sign in'), ' to see who follows whom.'));
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
  const name = member.displayName;
  container.append(
    h('h1', {}, which === 'followers' ? `Followers of ${name}` : `Followed by ${name}`),
    h('p', {}, link(`/members/${handle}`, `Back to ${name}\u2019s profile`)));
  if (member.isPrivate && !member.isMe) {
    container.append(h('p', { class: 'notice', role: 'note' }, `${name}\u2019s profile is private: only their name and counts are shown.`));
    return;
  }
  container.append(await pagedList({
    load: cursor => api(`/api/social/members/${handle}/${which}?${after(cursor)}`),
    item: card => link(`/members/${card.handle}`, card.displayName),
    empty: which === 'followers' ? `Nobody follows ${name} yet.` : `${name} follows nobody yet.`,
    more: which === 'followers' ? 'More followers' : 'More members followed',
    label: which === 'followers' ? 'Followers' : 'Following',
  }));
}
