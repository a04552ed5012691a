import { api } from './api.js';

// Catalog's cards for up to 100 film ids in one read (GET /api/catalog/movies/cards), as a Map by
// id. A list that names films by id (a member's ratings, the feed) still shows without them: on a
// failure the map is empty and each row names its film by number.
export async function filmCards(ids) {
  const unique = [...new Set(ids)].slice(0, 100);
  if (unique.length === 0) return new Map();
  try {
    const cards = await api(`/api/catalog/movies/cards?ids=${unique.join(',')}`);
    return new Map(cards.items.map(film => [film.id, film]));
  } catch {
    return new Map();
  }
}
