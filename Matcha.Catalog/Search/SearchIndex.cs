namespace Matcha.Catalog.Search;

/// <summary>A film as search sees it: its normalised search text and title keys, and its prior.</summary>
internal sealed record FilmEntry(int Id, string SearchText, IReadOnlyList<string> TitleKeys, SearchPrior Prior);

/// <summary>A person as search sees them.</summary>
internal sealed record PersonEntry(int Id, string SearchText);

/// <summary>
/// Catalog's search in memory: the same matches and the same ranking as the SQL search in
/// <see cref="CatalogSearch"/> (an exact title, then a title starting with the query, then the
/// other substring matches by prior, then the films of the closest words to a typo), answered
/// from n-gram postings instead of a query to Postgres. Kept by <see cref="SearchIndexSync"/>;
/// until its first build is done <see cref="IsReady"/> is false and search asks Postgres.
/// </summary>
internal sealed class SearchIndex : IDisposable
{
    /// <summary>How many substring matches are ranked (by prefix, then prior) before the page is cut, as in SQL.</summary>
    private const int Candidates = 200;

    /// <summary>How many of the words closest to a typo are looked up, closest first, until the page is full.</summary>
    private const int TypoWords = 3;

    private readonly ReaderWriterLockSlim _lock = new();
    private NgramPostings _films = new();
    private NgramPostings _people = new();
    private TypoVocabulary _words = new();
    private Dictionary<int, string[]> _titleKeys = [];
    private Dictionary<string, int[]> _filmsByTitle = new(StringComparer.Ordinal);   // almost always one film: no set per title
    private volatile bool _ready;

    public bool IsReady => _ready;

    public (int Films, int People, int Words) Size
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return (_films.Count, _people.Count, _words.Count);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Search falls back to Postgres while not ready: before the first build, and during a large catch-up.</summary>
    public void SetReady(bool ready) => _ready = ready;

    public void Apply(IEnumerable<FilmEntry> films, IEnumerable<PersonEntry> people, IEnumerable<int>? removedFilms = null, IEnumerable<int>? removedPeople = null)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var film in films)
            {
                UpsertFilm(film);
            }
            foreach (var person in people)
            {
                _people.Upsert(person.Id, person.SearchText, SearchPrior.ById(person.Id));
                _words.AddWordsOf(person.SearchText);
            }
            foreach (var id in removedFilms ?? [])
            {
                _films.Remove(id);
                SetTitleKeys(id, []);
            }
            foreach (var id in removedPeople ?? [])
            {
                _people.Remove(id);
            }
            _films.Seal();
            _people.Seal();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Everything at once (the first build, or a replica that stopped reading the change log): built aside, cut to
    /// size, then swapped in, so searches go on meanwhile.
    /// </summary>
    public void Replace(IEnumerable<FilmEntry> films, IEnumerable<PersonEntry> people)
    {
        var fresh = new SearchIndex();
        foreach (var film in films)
        {
            fresh.UpsertFilm(film);
        }
        foreach (var person in people)
        {
            fresh._people.Upsert(person.Id, person.SearchText, SearchPrior.ById(person.Id));
            fresh._words.AddWordsOf(person.SearchText);
        }
        fresh._films.Seal();
        fresh._people.Seal();
        fresh._films.Compact();
        fresh._people.Compact();
        fresh._words.Compact();
        fresh._titleKeys.TrimExcess();
        fresh._filmsByTitle.TrimExcess();

        _lock.EnterWriteLock();
        try
        {
            (_films, _people, _words, _titleKeys, _filmsByTitle) = (fresh._films, fresh._people, fresh._words, fresh._titleKeys, fresh._filmsByTitle);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The film ids a search for the normalised query <paramref name="q"/> shows, best first.</summary>
    public List<int> Movies(string q, int limit)
    {
        _lock.EnterReadLock();
        try
        {
            var exact = _filmsByTitle.TryGetValue(q, out var titled)
                ? titled.OrderBy(id => _films.PriorOf(id)).Take(limit)
                : [];
            var substring = _films.Find(q, Candidates);
            var ranked = exact
                .Concat(substring.Where(id => _titleKeys.TryGetValue(id, out var keys) && keys.Any(t => t.StartsWith(q, StringComparison.Ordinal))))
                .Concat(substring)
                .Distinct()
                .Take(limit)
                .ToList();
            return ranked.Count < limit ? WithTypos(_films, ranked, q, limit) : ranked;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The person ids a search for <paramref name="q"/> shows: substring matches by id, then a typo's.</summary>
    public List<int> People(string q, int limit)
    {
        _lock.EnterReadLock();
        try
        {
            var ids = _people.Find(q, limit);
            return ids.Count < limit ? WithTypos(_people, ids, q, limit) : ids;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private List<int> WithTypos(NgramPostings postings, List<int> ranked, string q, int limit)
    {
        if (!CatalogSearch.MayBeATypo(q))
        {
            return ranked;
        }
        foreach (var word in _words.Closest(q, TypoWords))
        {
            ranked = [.. ranked.Concat(postings.Find(word, limit)).Distinct().Take(limit)];
            if (ranked.Count == limit)
            {
                break;
            }
        }
        return ranked;
    }

    public void Dispose() => _lock.Dispose();

    private void UpsertFilm(FilmEntry film)
    {
        _films.Upsert(film.Id, film.SearchText, film.Prior);
        _words.AddWordsOf(film.SearchText);
        SetTitleKeys(film.Id, film.TitleKeys);
    }

    private void SetTitleKeys(int id, IReadOnlyList<string> keys)
    {
        if (_titleKeys.Remove(id, out var old))
        {
            foreach (var key in old)
            {
                if (_filmsByTitle.TryGetValue(key, out var ids))
                {
                    var others = Array.FindAll(ids, other => other != id);
                    if (others.Length == 0)
                    {
                        _filmsByTitle.Remove(key);
                    }
                    else
                    {
                        _filmsByTitle[key] = others;
                    }
                }
            }
        }
        if (keys.Count == 0)
        {
            return;
        }
        var distinct = keys.Distinct(StringComparer.Ordinal).ToArray();
        _titleKeys[id] = distinct;
        foreach (var key in distinct)
        {
            _filmsByTitle[key] = _filmsByTitle.TryGetValue(key, out var ids) ? [.. ids, id] : [id];
        }
    }
}
