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

    /// <summary>A gram in at least one text of this many keeps a bitset too.</summary>
    private const int DenseShare = 32;

    // By ordinal. A text that is replaced or removed keeps its ordinal with a null text (its postings stay, and are skipped).
    private readonly List<string?> _texts = [];
    private readonly List<SearchPrior> _priors = [];
    private readonly Dictionary<int, int> _ordinalOf = [];
    // A gram's ordinals in an array of its own, no object around it: grown by doubling as texts come, cut to size by Compact.
    private readonly Dictionary<long, Posting> _postings = [];
    private readonly HashSet<long> _grams = [];
    // A gram held by many texts (a common trigram: "par", "ark", "the") also keeps a bitset over ordinals, so a common
    // query's grams are intersected a 64-bit word at a time instead of by merging postings of tens of thousands.
    private readonly Dictionary<long, ulong[]> _dense = [];
    private int _bitWords;
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
            if (_dense.TryGetValue(gram, out var bits) && (ordinal >> 6) < bits.Length)
            {
                bits[ordinal >> 6] |= 1UL << ordinal;
            }
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
        RefreshDense();
    }

    /// <summary>A gram in more than one text of <see cref="DenseShare"/> keeps a bitset; all are regrown when the ordinals outgrow them.</summary>
    private void RefreshDense()
    {
        var threshold = Math.Max(ReadInPriorOrderAbove, _ordinalOf.Count / DenseShare);
        var words = (_texts.Count >> 6) + 1;
        if (words > _bitWords)
        {
            _bitWords = words + words / 8;
            _dense.Clear();
        }
        foreach (var (gram, posting) in _postings)
        {
            var segment = posting.Segment;
            if (segment.Count < threshold || _dense.ContainsKey(gram))
            {
                continue;
            }
            var bits = new ulong[_bitWords];
            foreach (var ordinal in segment)
            {
                bits[ordinal >> 6] |= 1UL << ordinal;
            }
            _dense[gram] = bits;
        }
    }

    /// <summary>The ids of up to <paramref name="take"/> texts that contain <paramref name="query"/>, best prior first.</summary>
    public List<int> Find(string query, int take)
    {
        var found = new List<int>(Math.Min(take, 64));
        if (query.Length == 0 || take <= 0)
        {
            return found;
        }

        var grams = new HashSet<long>();
        AddGrams(query, grams);
        // A query that is one gram from end to end (two Hangul syllables, three Latin letters): a text
        // holds the gram exactly when it contains the query, so its posting needs no substring test —
        // the test is most of such a search's time (a cache miss on each candidate's text).
        var whole = IsOneGram(query);
        var sparse = new List<ArraySegment<int>>(grams.Count);
        var dense = new List<ulong[]>(grams.Count);
        foreach (var gram in grams)
        {
            if (!_postings.TryGetValue(gram, out var posting))
            {
                return found;   // a gram of the query is in no text at all
            }
            if (_dense.TryGetValue(gram, out var bits))
            {
                dense.Add(bits);
            }
            else
            {
                sparse.Add(posting.Segment);
            }
        }

        var words = (_texts.Count >> 6) + 1;
        var rented = new List<int[]>();
        ulong[]? candidateBits = null;
        try
        {
            if (sparse.Count > 0)
            {
                // The rarest grams' postings, merged until few, then kept where every common gram's bit is set.
                sparse.Sort((a, b) => a.Count.CompareTo(b.Count));
                var candidates = sparse[0];
                for (var i = 1; i < sparse.Count && candidates.Count > SmallEnough; i++)
                {
                    var buffer = ArrayPool<int>.Shared.Rent(candidates.Count);
                    rented.Add(buffer);
                    candidates = Intersect(candidates, sparse[i], buffer);
                }
                if (dense.Count > 0)
                {
                    var buffer = ArrayPool<int>.Shared.Rent(candidates.Count);
                    rented.Add(buffer);
                    var kept = 0;
                    foreach (var ordinal in candidates)
                    {
                        var all = true;
                        for (var d = 0; d < dense.Count && all; d++)
                        {
                            all = (dense[d][ordinal >> 6] & (1UL << ordinal)) != 0;
                        }
                        if (all)
                        {
                            buffer[kept++] = ordinal;
                        }
                    }
                    candidates = new(buffer, 0, kept);
                }
                if (candidates.Count <= ReadInPriorOrderAbove)
                {
                    return Ranked(candidates, query, whole, take, found);
                }
                candidateBits = ArrayPool<ulong>.Shared.Rent(words);
                Array.Clear(candidateBits, 0, words);
                foreach (var ordinal in candidates)
                {
                    candidateBits[ordinal >> 6] |= 1UL << ordinal;
                }
            }
            else if (dense.Count > 0)
            {
                // Only common grams: their bitsets ANDed a word at a time; few left are ranked, many read in prior order.
                candidateBits = ArrayPool<ulong>.Shared.Rent(words);
                dense[0].AsSpan(0, words).CopyTo(candidateBits);
                var count = 0;
                for (var w = 0; w < words; w++)
                {
                    var word = candidateBits[w];
                    for (var d = 1; d < dense.Count && word != 0; d++)
                    {
                        word &= dense[d][w];
                    }
                    candidateBits[w] = word;
                    count += System.Numerics.BitOperations.PopCount(word);
                }
                if (count <= ReadInPriorOrderAbove)
                {
                    var buffer = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
                    rented.Add(buffer);
                    var n = 0;
                    for (var w = 0; w < words; w++)
                    {
                        for (var word = candidateBits[w]; word != 0; word &= word - 1)
                        {
                            buffer[n++] = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
                        }
                    }
                    return Ranked(new(buffer, 0, n), query, whole, take, found);
                }
            }

            // Many candidates (or a query too short for a gram): the best-known texts first, until the page is full.
            foreach (var ordinal in _priorOrder)
            {
                if (candidateBits is not null && (candidateBits[ordinal >> 6] & (1UL << ordinal)) == 0)
                {
                    continue;
                }
                if (_texts[ordinal] is { } text && (whole || text.Contains(query, StringComparison.Ordinal)))
                {
                    found.Add(_priors[ordinal].Id);
                    if (found.Count == take)
                    {
                        break;
                    }
                }
            }
            return found;
        }
        finally
        {
            rented.ForEach(buffer => ArrayPool<int>.Shared.Return(buffer));
            if (candidateBits is not null)
            {
                ArrayPool<ulong>.Shared.Return(candidateBits);
            }
        }
    }

    /// <summary>Few candidates: each confirmed by a substring test, the matches sorted by their place in the prior order.</summary>
    private List<int> Ranked(ArraySegment<int> candidates, string query, bool whole, int take, List<int> found)
    {
        var ranks = new List<int>(Math.Min(candidates.Count, 256));
        foreach (var ordinal in candidates)
        {
            // A replaced or removed text keeps its ordinal in the postings, with no text.
            if (_texts[ordinal] is { } text && (whole || text.Contains(query, StringComparison.Ordinal)))
            {
                ranks.Add(_rankOf[ordinal]);
            }
        }
        ranks.Sort();
        for (var i = 0; i < ranks.Count && i < take; i++)
        {
            found.Add(_priors[_priorOrder[ranks[i]]].Id);
        }
        return found;
    }

    private static ArraySegment<int> Intersect(ReadOnlySpan<int> mine, ReadOnlySpan<int> other, int[] result)
    {
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
    /// Whether the query is a single gram that spans it: two non-ASCII characters (a pair), or three
    /// characters no two adjacent of which are both non-ASCII (a trigram, and no pair inside it).
    /// </summary>
    internal static bool IsOneGram(string query) => query.Length switch
    {
        2 => IsPair(query[0], query[1]),
        3 => !IsPair(query[0], query[1]) && !IsPair(query[1], query[2]),
        _ => false,
    };

    /// <summary>Two non-ASCII characters side by side (two Hangul syllables): a gram of their own.</summary>
    private static bool IsPair(char a, char b) => a > '\u007F' && b > '\u007F';

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
            if (IsPair(a, b))
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
