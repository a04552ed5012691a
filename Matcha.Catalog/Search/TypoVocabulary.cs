using System.Buffers;

namespace Matcha.Catalog.Search;

/// <summary>
/// The Latin-script words of every search text, once each (what <c>search_words</c> holds), and
/// pg_trgm's similarity over them: a word's trigrams are those of <c>"  word "</c>, the
/// similarity is shared / (both − shared), and a word is a typo's candidate at 0.3 or more —
/// the same figures as the SQL typo pass, so both paths pick the same words. Words are never
/// removed (nor in SQL): a stale word only finds nothing. Not thread-safe: see <see cref="SearchIndex"/>.
/// </summary>
internal sealed class TypoVocabulary
{
    private const float Threshold = 0.3f;

    private readonly List<string> _words = [];
    private readonly List<int> _trigramCounts = [];
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<long, List<int>> _postings = [];

    /// <summary>After a build: the lists cut to their length.</summary>
    public void Compact()
    {
        foreach (var posting in _postings.Values)
        {
            posting.TrimExcess();
        }
        _postings.TrimExcess();
        _words.TrimExcess();
        _trigramCounts.TrimExcess();
        _known.TrimExcess();
    }

    public int Count => _words.Count;

    public void AddWordsOf(string searchText)
    {
        foreach (var word in searchText.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!word.Any(char.IsAsciiLetterLower) || !_known.Add(word))
            {
                continue;
            }
            var trigrams = Trigrams(word);
            var index = _words.Count;
            _words.Add(word);
            _trigramCounts.Add(trigrams.Count);
            foreach (var trigram in trigrams)
            {
                if (!_postings.TryGetValue(trigram, out var posting))
                {
                    _postings[trigram] = posting = [];
                }
                posting.Add(index);
            }
        }
    }

    /// <summary>Up to <paramref name="take"/> words at least 0.3 similar to the query, closest first, then by the word.</summary>
    public List<string> Closest(string query, int take)
    {
        var trigrams = Trigrams(query);
        if (trigrams.Count == 0 || _words.Count == 0)
        {
            return [];
        }

        var shared = ArrayPool<int>.Shared.Rent(_words.Count);
        Array.Clear(shared, 0, _words.Count);
        var touched = new List<int>();
        try
        {
            foreach (var trigram in trigrams)
            {
                if (!_postings.TryGetValue(trigram, out var posting))
                {
                    continue;
                }
                foreach (var word in posting)
                {
                    if (shared[word]++ == 0)
                    {
                        touched.Add(word);
                    }
                }
            }

            var close = new List<(float Similarity, string Word)>();
            foreach (var word in touched)
            {
                var similarity = (float)shared[word] / (trigrams.Count + _trigramCounts[word] - shared[word]);
                if (similarity >= Threshold)
                {
                    close.Add((similarity, _words[word]));
                }
            }
            return [.. close
                .OrderByDescending(c => c.Similarity).ThenBy(c => c.Word, StringComparer.Ordinal)
                .Take(take)
                .Select(c => c.Word)];
        }
        finally
        {
            ArrayPool<int>.Shared.Return(shared);
        }
    }

    /// <summary>
    /// pg_trgm's trigrams: the text cut into words at anything not a letter or digit, each padded
    /// with two spaces before and one after, every three consecutive characters, each once.
    /// </summary>
    internal static HashSet<long> Trigrams(string text)
    {
        var trigrams = new HashSet<long>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                continue;
            }
            if (i > start)
            {
                var padded = $"  {text[start..i]} ";
                for (var j = 0; j + 2 < padded.Length; j++)
                {
                    trigrams.Add(((long)padded[j] << 32) | ((long)padded[j + 1] << 16) | padded[j + 2]);
                }
            }
            start = i + 1;
        }
        return trigrams;
    }
}
