using Matcha.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using StackExchange.Redis;

namespace Matcha.Catalog.Data;

/// <summary>The <c>Catalog:Standby</c> settings (docs/catalog.md, "Reads on the standby").</summary>
public sealed class CatalogStandbyOptions
{
    public const string Section = "Catalog:Standby";

    /// <summary>
    /// How long after a write the cache entries it dropped are filled from the primary, not the standby:
    /// longer than the standby's lag is allowed to be (its health check says Degraded above 5 s).
    /// </summary>
    public int FenceSeconds { get; set; } = 30;
}

/// <summary>
/// The hot standby Catalog's public reads go to, when the AppHost runs one (<c>--postgres standby</c>
/// gives Catalog the connection <c>catalogdb-replica</c>: the standby, falling back to the primary while
/// it does not answer). A write <em>fences</em> what it changed (<see cref="FenceAsync"/>): for
/// <see cref="CatalogStandbyOptions.FenceSeconds"/> the cache is filled from the primary for those keys,
/// so a fill right after the write's invalidation cannot read the standby before it has replayed the
/// write and put the old film back in the cache. The fences are Redis keys, so every replica sees them.
/// Without a standby every read uses the primary and nothing touches Redis.
/// </summary>
public sealed partial class CatalogStandby(
    IDbContextFactory<CatalogDbContext>? factory, IServiceProvider services, CatalogStandbyOptions options, ILogger<CatalogStandby> logger)
{
    public const string ConnectionName = "catalogdb-replica";

    public bool Enabled => factory is not null;

    internal IDbContextFactory<CatalogDbContext>? Factory => factory;

    private static RedisKey FenceKey(string name) => $"catalog:standby-fence:{name}";

    /// <summary>After a commit, before its invalidation: the cache entries named (keys or tags) are filled from the primary for a while.</summary>
    public async Task FenceAsync(IEnumerable<string> names)
    {
        if (!Enabled)
        {
            return;
        }
        var fenced = names.Distinct().ToList();
        try
        {
            var redis = services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
            var expiry = TimeSpan.FromSeconds(options.FenceSeconds);
            await Task.WhenAll(fenced.Select(name => redis.StringSetAsync(FenceKey(name), "1", expiry)));
        }
        catch (RedisException e)
        {
            // Redis down drops the second-level cache too; a process's own copy lives 10 s at most.
            LogFenceFailed(e, fenced.Count);
        }
    }

    /// <summary>Whether a fill of the entry named must read the primary: fenced by a recent write, or Redis cannot tell.</summary>
    public async Task<bool> IsFencedAsync(string name)
    {
        try
        {
            return await services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().KeyExistsAsync(FenceKey(name));
        }
        catch (RedisException)
        {
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fence {Count} cache entries against the standby's lag; a fill within its lag may read the old row")]
    private partial void LogFenceFailed(Exception exception, int count);

    /// <summary>Registers the standby's data source and context pool when the AppHost gave Catalog the connection, else a disabled standby.</summary>
    internal static void Register(IHostApplicationBuilder builder, Action<Npgsql.NpgsqlDataSourceBuilder> configureDataSource)
    {
        var options = builder.Configuration.GetSection(CatalogStandbyOptions.Section).Get<CatalogStandbyOptions>() ?? new();
        if (string.IsNullOrEmpty(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            builder.Services.AddSingleton(services => new CatalogStandby(null, services, options, services.GetRequiredService<ILogger<CatalogStandby>>()));
            return;
        }

        builder.AddKeyedNpgsqlDataSource(ConnectionName, configureDataSourceBuilder: configureDataSource);
        builder.Services.AddSingleton(services =>
        {
            var dataSource = services.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(ConnectionName);
            var contextOptions = new DbContextOptionsBuilder<CatalogDbContext>();
            contextOptions.UseServiceDatabase(dataSource);
            return new CatalogStandby(new PooledDbContextFactory<CatalogDbContext>(contextOptions.Options), services, options,
                services.GetRequiredService<ILogger<CatalogStandby>>());
        });
    }
}

/// <summary>
/// The database a public read uses, per request: <see cref="Public"/> for reads no cache stands before
/// (search, uncached list pages), <see cref="ForFillAsync"/> for a cache fill. Writes, and everything an
/// admin reads, take <see cref="CatalogDbContext"/> (the primary) directly.
/// </summary>
public sealed class CatalogReads(IServiceProvider services, CatalogStandby standby) : IAsyncDisposable
{
    private CatalogDbContext? _standby;

    /// <summary>The request's primary context, taken from the pool only when a read needs it (a cache hit does not).</summary>
    private CatalogDbContext Primary => services.GetRequiredService<CatalogDbContext>();

    /// <summary>The standby's context when there is a standby, else the primary's.</summary>
    public CatalogDbContext Public => standby.Factory is { } factory ? _standby ??= factory.CreateDbContext() : Primary;

    /// <summary>The context to fill the cache entry <paramref name="fence"/> (its key or tag) from: the primary while a write fences it.</summary>
    public async ValueTask<CatalogDbContext> ForFillAsync(string fence) =>
        standby.Enabled && !await standby.IsFencedAsync(fence) ? Public : Primary;

    public ValueTask DisposeAsync() => _standby?.DisposeAsync() ?? ValueTask.CompletedTask;
}
