import { announce } from '../app.js';
import { api } from '../api.js';
import { h, link, notice } from '../dom.js';

const when = iso => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

// The author's name, linking to their profile; "You" for mine. Ratings learns a new member's
// name from Accounts a moment after sign-up: until then the author is "A Matcha member".
function signature(comment) {
  if (comment.mine) return 'You';
  return comment.author ? link(`/members/${comment.author.handle}`, comment.author.displayName) : 'A Matcha member';
}

// The film's comments (most liked first), mine editable, spoilers hidden until revealed, likes.
export function renderComments(section, movieId, comments, mine, followStats) {
  let withSpoilers = null;   // the list with spoiler texts, fetched at the first reveal
  const spoilerText = async id => {
    withSpoilers ??= (await api(`/api/ratings/movies/${movieId}/comments?sort=likes&pageSize=100&includeSpoilers=true`)).items;
    return withSpoilers.find(c => c.id === id)?.text ?? '';
  };
  // After a change of mine the list is read again; if Ratings misses that read (slow, or its
  // circuit briefly open), try a couple more times before saying the comments are unavailable.
  const reload = async () => {
    let screen = null;
    for (const delay of [0, 500, 1500]) {
      if (delay) await new Promise(resolve => setTimeout(resolve, delay));
      try {
        screen = await api(`/api/screens/movie/${movieId}`);
      } catch { /* the next try may work */ }
      if (screen?.comments && screen?.mine) break;
    }
    section.replaceChildren(section.firstChild);
    if (screen?.comments && screen?.mine) {
      renderComments(section, movieId, screen.comments, screen.mine, followStats);
    } else {
      section.append(notice('Comments are unavailable right now; your change is saved. Reload the page in a moment to see them.'));
    }
    followStats();
  };

  const own = comments.find(c => c.mine);
  if (!own) section.append(commentForm(movieId, null, reload));
  const list = h('ul', { class: 'comment-list' });
  for (const comment of comments) list.append(commentItem(movieId, comment, spoilerText, reload));
  section.append(comments.length ? list : h('p', {}, 'No comments yet. Be the first.'));
}

function commentItem(movieId, comment, spoilerText, reload) {
  const body = h('div', { class: 'comment-body' });
  if (comment.text !== null) {
    body.append(h('p', {}, comment.text));
  } else {
    const reveal = h('button', {
      type: 'button', class: 'reveal', onclick: async () => {
        try {
          body.replaceChildren(h('p', { class: 'revealed' }, await spoilerText(comment.id)));
        } catch (error) {
          announce(error.message);
        }
      },
    }, 'Reveal spoiler');
    body.append(h('p', { class: 'spoiler-warning' }, 'This comment contains spoilers.'), reveal);
  }

  let liked = comment.likedByMe;
  let likes = comment.likeCount;
  const likeButton = h('button', {
    type: 'button', class: 'like', 'aria-pressed': String(liked), disabled: comment.mine,
    title: comment.mine ? 'You cannot like your own comment' : null,
    onclick: async () => {
      try {
        await api(`/api/ratings/comments/${comment.id}/like`, { method: liked ? 'DELETE' : 'PUT' });
        liked = !liked;
        likes += liked ? 1 : -1;
        likeButton.setAttribute('aria-pressed', String(liked));
        likeButton.textContent = likeText(likes);
      } catch (error) {
        announce(error.message);
      }
    },
  }, likeText(likes));

  const item = h('li', { class: `comment${comment.mine ? ' own' : ''}`, 'data-comment-id': comment.id },
    h('p', { class: 'comment-meta' }, h('strong', {}, signature(comment)), ` · ${when(comment.createdAt)}`,
      comment.isSpoiler ? h('span', { class: 'tag' }, 'Spoiler') : null),
    body,
    h('div', { class: 'comment-actions' }, likeButton,
      comment.mine ? h('button', {
        type: 'button', onclick: async () => {
          const text = comment.text ?? await spoilerText(comment.id);
          item.replaceChildren(commentForm(movieId, { ...comment, text }, reload));
          item.querySelector('textarea')?.focus();
        },
      }, 'Edit') : null,
      comment.mine ? h('button', {
        type: 'button', onclick: async () => {
          try {
            await api(`/api/ratings/comments/${comment.id}`, { method: 'DELETE' });
            announce('Your comment is deleted.');
            await reload();
          } catch (error) {
            announce(error.message);
          }
        },
      }, 'Delete') : null));
  return item;
}

const likeText = n => `Like${n ? ` (${n})` : ''}`;

function commentForm(movieId, existing, reload) {
  const error = h('p', { class: 'error', id: 'comment-error', role: 'alert' });
  const text = h('textarea', { id: 'comment-text', name: 'text', rows: 3, maxlength: 2000, required: true, 'aria-describedby': 'comment-error' });
  text.value = existing?.text ?? '';
  const spoiler = h('input', { type: 'checkbox', id: 'comment-spoiler', name: 'spoiler', checked: existing?.isSpoiler ?? false });
  return h('form', {
    class: 'comment-form', onsubmit: async event => {
      event.preventDefault();
      error.textContent = '';
      const body = { text: text.value, isSpoiler: spoiler.checked };
      try {
        if (existing) await api(`/api/ratings/comments/${existing.id}`, { method: 'PUT', body });
        else await api(`/api/ratings/movies/${movieId}/comments`, { method: 'POST', body });
        announce(existing ? 'Your comment is updated.' : 'Your comment is posted.');
        await reload();
      } catch (failure) {
        error.textContent = failure.message;
      }
    },
  },
  h('label', { for: 'comment-text' }, existing ? 'Edit your comment' : 'Your comment'),
  text,
  h('label', { class: 'inline' }, spoiler, ' Contains spoilers'),
  error,
  h('button', { type: 'submit' }, existing ? 'Save comment' : 'Post comment'));
}
