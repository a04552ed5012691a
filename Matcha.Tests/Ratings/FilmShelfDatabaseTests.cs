using Matcha.Data;
using Matcha.Ratings.Data;
using Matcha.Ratings.Recommendations.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Matcha.Tests.Ratings;

/// <summary>
/// The film list recommendations rank, read and checked with Ratings' own statements on its real
/// database, as a replica that did not apply a film's event sees it: no invalidation, only the
/// list's lifetime and its stamp. (<see cref="FilmShelfTests"/> covers the timing with reads the test controls.)
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class FilmShelfDatabaseTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task AReplicaThatDidNotApplyAFilmsEventRanksTheFilmAfterItsListsLifetimeAndKeepsAnUnchangedList()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.ConnectionStringAsync("ratingsdb"));
        var services = new ServiceCollection()
            .AddDbContext<RatingsDbContext>(options => options.UseServiceDatabase(dataSource))
            .BuildServiceProvider();
        await using var _ = services;
        var options = new RecommendationOptions();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logger = new FakeLogger<FilmShelf>();
        var shelf = new FilmShelf(services.GetRequiredService<IServiceScopeFactory>(), Options.Create(options), clock, logger);
        var before = await shelf.AllAsync(CancellationToken.None);

        // Nothing changed: the expired list is checked by its stamp and stays the same list.
        clock.Advance(options.FilmListLifetime);
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        await WhenCheckedAsync(shelf);
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));

        // A film arrives in Ratings' copy (its event applied elsewhere): after the lifetime, the stamp moved and the list follows.
        var movieId = await fixture.AddFilmAsync();
        Assert.DoesNotContain(movieId, (await shelf.AllAsync(CancellationToken.None)).Select(f => f.Id));
        clock.Advance(options.FilmListLifetime);
        await shelf.AllAsync(CancellationToken.None);
        await WhenCheckedAsync(shelf);
        var after = await shelf.AllAsync(CancellationToken.None);

        Assert.Contains(movieId, after.Select(f => f.Id));
        Assert.Equal(
            await fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM movies WHERE removed_at IS NULL"),
            after.Count);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), record => record.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task TheStampRowFollowsEveryWriteOfTheFilmsInTheWritersOwnTransaction()
    {
        // What the triggers keep must be what counting the films gives, after each kind of write and inside the writer's
        // transaction (a check that read a stamp ahead of the films would keep a stale list). Rolled back: nothing stays.
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("ratingsdb"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var before = await StampAsync(connection);

        await ExecuteAsync(connection,
            "INSERT INTO movies (id, year, genres, people_ids, version) SELECT -g, 1999, '{Drama}', '{}', g FROM generate_series(1001, 1003) g");
        var inserted = await StampAsync(connection);
        await using (var copy = await connection.BeginBinaryImportAsync("COPY movies (id, year, genres, people_ids, version) FROM STDIN (FORMAT BINARY)"))
        {
            string[] genres = ["Comedy"];
            foreach (var id in new[] { -1004, -1005 })
            {
                await copy.WriteRowAsync(CancellationToken.None, id, 2001, genres, Array.Empty<int>(), 7L);
            }
            await copy.CompleteAsync();
        }
        var copied = await StampAsync(connection);
        await ExecuteAsync(connection, "UPDATE movies SET version = version + 10 WHERE id IN (-1001, -1004)");
        var updated = await StampAsync(connection);
        await ExecuteAsync(connection, "DELETE FROM movies WHERE id IN (-1002, -1005)");
        var deleted = await StampAsync(connection);

        Assert.Equal((before.Rows + 3, before.VersionSum + 1001 + 1002 + 1003), (inserted.Rows, inserted.VersionSum));
        Assert.Equal((inserted.Rows + 2, inserted.VersionSum + 14), (copied.Rows, copied.VersionSum));
        Assert.Equal((copied.Rows, copied.VersionSum + 20), (updated.Rows, updated.VersionSum));
        Assert.Equal((updated.Rows - 2, updated.VersionSum - 1002 - 7), (deleted.Rows, deleted.VersionSum));
        await transaction.RollbackAsync();
    }

    /// <summary>The stamp row, asserted equal to counting the films in the same statement (one snapshot).</summary>
    private static async Task<(long Rows, decimal VersionSum)> StampAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            SELECT s.rows, s.version_sum, c.rows, c.version_sum
            FROM film_list_stamp s, (SELECT count(*) AS rows, coalesce(sum(version), 0)::numeric AS version_sum FROM movies) c
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var (kept, counted) = ((reader.GetInt64(0), reader.GetDecimal(1)), (reader.GetInt64(2), reader.GetDecimal(3)));
        Assert.False(await reader.ReadAsync());
        Assert.Equal(counted, kept);
        return kept;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits for the background check an expired list started.</summary>
    private static async Task WhenCheckedAsync(FilmShelf shelf)
    {
        for (var i = 0; i < 500 && shelf.PendingRead is not null; i++)
        {
            await Task.Delay(20);
        }
        Assert.Null(shelf.PendingRead);
    }
}
