namespace Matcha.Recommendations.Model;

/// <summary>
/// Side information about films for <see cref="BayesianFactorization"/>: each film's features
/// (genre numbers), by the film's dense index. A film without features has an empty list.
/// </summary>
public sealed record FilmFeatures(IReadOnlyList<int[]> OfFilm)
{
    /// <summary>Numbers each distinct name (case-insensitively) in order of first appearance; <paramref name="namesOf"/> is by dense film index.</summary>
    public static FilmFeatures FromNames(IReadOnlyList<IEnumerable<string>> namesOf)
    {
        var numbers = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        return new FilmFeatures([.. namesOf.Select(names => names
            .Select(name => numbers.TryGetValue(name, out var n) ? n : numbers[name] = numbers.Count)
            .Distinct().ToArray())]);
    }
}
