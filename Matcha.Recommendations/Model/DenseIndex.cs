namespace Matcha.Recommendations.Model;

/// <summary>
/// Maps external ids (a user's Guid or int, a film's id) to the dense 0..n-1 indices the
/// models use as array offsets, and back.
/// </summary>
public sealed class DenseIndex<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, int> indices = [];
    private readonly List<TKey> keys = [];

    public int Count => keys.Count;

    public IReadOnlyList<TKey> Keys => keys;

    /// <summary>The index of <paramref name="key"/>, or -1 when it was never seen (models treat -1 as unknown).</summary>
    public int IndexOf(TKey key) => indices.GetValueOrDefault(key, -1);

    public int GetOrAdd(TKey key)
    {
        if (!indices.TryGetValue(key, out var index))
        {
            index = keys.Count;
            indices.Add(key, index);
            keys.Add(key);
        }
        return index;
    }
}
