namespace Matcha.Catalog.Search;

/// <summary>Configuration section <c>Search</c>.</summary>
internal sealed class SearchIndexOptions
{
    public const string Section = "Search";

    /// <summary>False: every search asks Postgres (the SQL path), as before the in-memory index.</summary>
    public bool InMemory { get; set; } = true;

    /// <summary>How often the index reads what other writers changed (another replica, the importer CLI, a COPY).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the index compares its ids with the tables', to drop what another writer deleted.</summary>
    public TimeSpan DeletionCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A catch-up of more rows than this is applied with search on Postgres meanwhile (the start, a bulk import).</summary>
    public int LargeCatchUp { get; set; } = 10_000;

    public bool IsValid() => PollInterval > TimeSpan.Zero && DeletionCheckInterval > TimeSpan.Zero && LargeCatchUp > 0;
}
