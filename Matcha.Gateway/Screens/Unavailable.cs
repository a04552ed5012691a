namespace Matcha.Gateway.Screens;

/// <summary>The parts of a screen that could not be had, and why, as the screen document reports them.</summary>
internal sealed class Unavailable
{
    private readonly SortedDictionary<string, string> _reasons = new(StringComparer.Ordinal);

    /// <summary>Records a failed part under <paramref name="name"/>; returns the part's value, if any.</summary>
    public T? Take<T>(string name, Part<T> part) where T : class
    {
        if (part.Failed)
        {
            _reasons.TryAdd(name, part.FailureReason!);
        }
        return part.Value;
    }

    public void Add(string name, string reason) => _reasons.TryAdd(name, reason);

    public IReadOnlyList<string> Names => [.. _reasons.Keys];

    public IReadOnlyDictionary<string, string> Reasons => _reasons;
}
