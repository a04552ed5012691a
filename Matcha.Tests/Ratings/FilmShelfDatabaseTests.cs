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
