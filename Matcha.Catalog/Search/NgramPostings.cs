using System.Buffers;
using System.Runtime.InteropServices;

namespace Matcha.Catalog.Search;

/// <summary>
/// Substring search over many normalised search texts in memory. Each text is cut into grams — a
/// pair of adjacent non-ASCII characters (two Hangul syllables: a Korean fragment of two is
/// common, and a pair is selective), otherwise three characters (a Latin trigram) — and every gram
/// keeps the ordinals of the texts that hold it, ascending. A query's texts are the intersection
/// of its grams' postings, smallest first, confirmed by an ordinal substring test; a common
/// query is instead read in prior order and stops once the page is full, so no search ranks every
/// match. Not thread-safe: <see cref="SearchIndex"/> holds the lock.
/// </summary>
internal sealed class NgramPostings
{
    /// <summary>Intersect postings until at most this many candidates are left.</summary>
    private const int SmallEnough = 256;

    /// <summary>Above this many candidates, read the texts in prior order and stop at the page instead of sorting them all.</summary>
    private const int ReadInPriorOrderAbove = 2_000;

    // By ordinal. A text that is replaced or removed keeps its ordinal with a null text (its postings stay, and are skipped).
    private readonly List<string?> _texts = [];
    private readonly List<SearchPrior> _priors = [];
    private readonly Dictionary<int, int> _ordinalOf = [];
    // A gram's ordinals in an array of its own, no object around it: grown by doubling as texts come, cut to size by Compact.
    private readonly Dictionary<long, Posting> _postings = [];
    private readonly HashSet<long> _grams = [];
    private int[] _priorOrder = [];
    private int[] _rankOf = [];   // by ordinal: its place in _priorOrder, so matches sort as plain ints
    private bool _priorOrderStale;

    public int Count => _ordinalOf.Count;

    /// <summary>Ordinals whose text was replaced or removed: what a rebuild would give back.</summary>
    public int Dead => _texts.Count - _ordinalOf.Count;

    public IEnumerable<int> Ids => _ordinalOf.Keys;

    public void Upsert(int id, string text, SearchPrior prior)
    {
        if (_ordinalOf.TryGetValue(id, out var existing))
        {
            if (string.Equals(_texts[existing], text, StringComparison.Ordinal))
            {
                if (_priors[existing] != prior)
                {
                    _priors[existing] = prior;
                    _priorOrderStale = true;
                }
                return;
            }
            _texts[existing] = null;
        }

        var ordinal = _texts.Count;
        _texts.Add(text);
        _priors.Add(prior);
        _ordinalOf[id] = ordinal;
        _grams.Clear();
        AddGrams(text, _grams);
        foreach (var gram in _grams)
        {
            ref var posting = ref CollectionsMarshal.GetValueRefOrAddDefault(_postings, gram, out _);
            posting.Add(ordinal);
        }
        _priorOrderStale = true;
    }

    /// <summary>After a build: every posting cut to its length (doubling leaves up to half of each array empty).</summary>
    public void Compact()
    {
        foreach (var gram in _postings.Keys)
        {
            CollectionsMarshal.GetValueRefOrNullRef(_postings, gram).Trim();
        }
        _postings.TrimExcess();
        _ordinalOf.TrimExcess();
        _texts.TrimExcess();
        _priors.TrimExcess();
    }

    public void Remove(int id)
    {
        if (_ordinalOf.Remove(id, out var ordinal))
        {
            _texts[ordinal] = null;
            _priorOrderStale = true;
        }
    }

    public SearchPrior? PriorOf(int id) => _ordinalOf.TryGetValue(id, out var ordinal) ? _priors[ordinal] : null;

    /// <summary>Call after a batch of changes, before searching: the prior order is rebuilt once per batch.</summary>
    public void Seal()
    {
        if (!_priorOrderStale)
        {
            return;
        }
        var order = _ordinalOf.Values.ToArray();
        var priors = _priors;
        Array.Sort(order, (a, b) => priors[a].CompareTo(priors[b]));
        var rankOf = new int[_texts.Count];
        for (var rank = 0; rank < order.Length; rank++)
        {
            rankOf[order[rank]] = rank;
        }
        _priorOrder = order;
        _rankOf = rankOf;
        _priorOrderStale = false;
    }

    /// <summary>The ids of up to <paramref name="take"/> texts that contain <paramref name="query"/>, best prior first.</summary>
    public List<int> Find(string query, int take)
    {
        var found = new List<int>(Math.Min(take, 64));
        if (query.Length == 0 || take <= 0)
        {
            return found;
        }

        var candidates = Candidates(query, out var anyGram);
        if (anyGram && candidates is null)
        {
            return found;   // a gram of the query is in no text at all
        }
        if (candidates is { } few && few.Count <= ReadInPriorOrderAbove)
        {
            var ranks = new List<int>();
            foreach (var ordinal in few)
            {
                if (_texts[ordinal] is { } text && text.Contains(query, StringComparison.Ordinal))
                {
                    ranks.Add(_rankOf[ordinal]);
                }
            }
            ranks.Sort();
            found.AddRange(ranks.Take(take).Select(rank => _priors[_priorOrder[rank]].Id));
            return found;
        }

        // Many candidates (or a query too short for a gram): the best-known texts first, until the page is full.
        ulong[]? bits = null;
        if (candidates is { } many)
        {
            bits = ArrayPool<ulong>.Shared.Rent((_texts.Count >> 6) + 1);
            Array.Clear(bits, 0, (_texts.Count >> 6) + 1);
            foreach (var ordinal in many)
            {
                bits[ordinal >> 6] |= 1UL << ordinal;
            }
        }
        try
        {
            foreach (var ordinal in _priorOrder)
            {
                if (bits is not null && (bits[ordinal >> 6] & (1UL << ordinal)) == 0)
                {
                    continue;
                }
                if (_texts[ordinal] is { } text && text.Contains(query, StringComparison.Ordinal))
                {
                    found.Add(_priors[ordinal].Id);
                    if (found.Count == take)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            if (bits is not null)
            {
                ArrayPool<ulong>.Shared.Return(bits);
            }
        }
        return found;
    }

    /// <summary>The ordinals holding every gram of the query (intersected until few), or null when it has none.</summary>
    private ArraySegment<int>? Candidates(string query, out bool anyGram)
    {
        var grams = new HashSet<long>();
        AddGrams(query, grams);
        anyGram = grams.Count > 0;
        var postings = new List<ArraySegment<int>>(grams.Count);
        foreach (var gram in grams)
        {
            if (!_postings.TryGetValue(gram, out var posting))
            {
                return null;
            }
            postings.Add(posting.Segment);
        }
        if (postings.Count == 0)
        {
            return null;
        }
        postings.Sort((a, b) => a.Count.CompareTo(b.Count));
        var candidates = postings[0];
        for (var i = 1; i < postings.Count && candidates.Count > SmallEnough; i++)
        {
            candidates = Intersect(candidates, postings[i]);
        }
        return candidates;
    }

    private static ArraySegment<int> Intersect(ReadOnlySpan<int> mine, ReadOnlySpan<int> other)
    {
        var result = new int[mine.Length];
        var count = 0;
        if (other.Length > 8 * mine.Length)
        {
            // Much longer: binary search from where the last one was found.
            var from = 0;
            foreach (var ordinal in mine)
            {
                var at = other[from..].BinarySearch(ordinal);
                from += at >= 0 ? at + 1 : ~at;
                if (at >= 0)
                {
                    result[count++] = ordinal;
                }
                if (from >= other.Length)
                {
                    break;
                }
            }
            return new(result, 0, count);
        }

        for (int i = 0, j = 0; i < mine.Length && j < other.Length;)
        {
            if (mine[i] == other[j])
            {
                result[count++] = mine[i];
                i++;
                j++;
            }
            else if (mine[i] < other[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return new(result, 0, count);
    }

    /// <summary>One gram's ordinals, ascending.</summary>
    private struct Posting
    {
        private int[]? _items;
        private int _count;

        public readonly ArraySegment<int> Segment => _items is null ? ArraySegment<int>.Empty : new(_items, 0, _count);

        public void Add(int ordinal)
        {
            if (_items is null || _count == _items.Length)
            {
                Array.Resize(ref _items, Math.Max(4, _count * 2));
            }
            _items[_count++] = ordinal;
        }

        public void Trim()
        {
            if (_items is not null && _items.Length != _count)
            {
                Array.Resize(ref _items, _count);
            }
        }
    }

    /// <summary>
    /// A pair where two non-ASCII characters stand side by side, else the trigram starting there.
    /// Whether a pair or a trigram starts at a position depends only on the characters there, so
    /// every gram of a query is a gram of any text that contains it.
    /// </summary>
    internal static void AddGrams(string text, HashSet<long> grams)
    {
        for (var i = 0; i + 1 < text.Length; i++)
        {
            var (a, b) = (text[i], text[i + 1]);
            if (a > '\u007F' && b > '\u007F')
            {
                grams.Add((1L << 48) | ((long)a << 16) | b);
            }
            else if (i + 2 < text.Length)
            {
                grams.Add(((long)a << 32) | ((long)b << 16) | text[i + 2]);
            }
        }
    }
}
