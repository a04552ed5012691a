import { announce } from './app.js';
import { h } from './dom.js';

// A keyset-paged list: the first page at once, then a "more" button while the API gives a cursor.
// load(cursor) answers { items, nextCursor }; item(x) makes a row's content. After "more", focus
// moves to the first new row, so a keyboard user reads on from where the list grew.
export async function pagedList({ load, item, empty, more = 'More', label }) {
  const list = h('ul', { class: 'paged-list', 'aria-label': label });
  const wrapper = h('div', { class: 'paged' }, list);
  let cursor = null;
  const button = h('button', {
    type: 'button', class: 'more', onclick: async () => {
      button.disabled = true;
      try {
        await next(true);
      } catch (error) {
        announce(error.message);
      } finally {
        button.disabled = false;
      }
    },
  }, more);

  async function next(focus) {
    const page = await load(cursor);
    const rows = page.items.map(x => h('li', {}, item(x)));
    list.append(...rows);
    cursor = page.nextCursor;
    if (cursor) wrapper.append(button);
    else button.remove();
    if (focus && rows.length) (rows[0].querySelector('a, button') ?? rows[0]).focus();
  }

  await next(false);
  return list.children.length ? wrapper : h('p', {}, empty);
}

// The query string of a page after `cursor` (null: the first page).
export const after = (cursor, pageSize = 20) => `pageSize=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
