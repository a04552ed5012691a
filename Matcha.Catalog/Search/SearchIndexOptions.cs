namespace Matcha.Catalog.Search;

/// <summary>Configuration section <c>Search</c>.</summary>
internal sealed class SearchIndexOptions
{
    public const string Section = "Search";

    /// <summary>False: every search asks Postgres (the SQL path), as before the in-memory index.</summary>
    public bool InMemory { get; set; } = true;

    /// <summary>
    /// How often the index reads the change log for what other writers changed (another replica, the importer CLI, a
    /// COPY). With nothing new a catch-up is one index probe of <c>search_changes</c>, so this can be short.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many change-log rows a catch-up applies one by one; more (a bulk import, a COPY) and it reads everything again, built aside.</summary>
    public int CatchUpPage { get; set; } = 10_000;

    /// <summary>
    /// Change-log rows older than this are deleted (by any replica, every <see cref="TrimInterval"/>). A replica that
    /// has not caught up for half of it reads everything again instead of the log.
    /// </summary>
    public TimeSpan KeepChanges { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromMinutes(5);

    public bool IsValid() => PollInterval > TimeSpan.Zero && CatchUpPage > 0 && KeepChanges > TimeSpan.Zero && TrimInterval > TimeSpan.Zero;
}
