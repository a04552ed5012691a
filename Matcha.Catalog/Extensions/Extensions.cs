using Matcha.Catalog.Cards;
using Matcha.Catalog.Data;
using Matcha.Catalog.Erasure;
using Matcha.Catalog.Import;
using Matcha.Catalog.Rankings;
using Matcha.Catalog.Search;
using Matcha.Catalog.Seed;
using Matcha.Catalog.Statistics;
using Matcha.Data;
using Matcha.EventBus;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.Catalog;

internal static class Extensions
{
    private static void UseTypoThreshold(NpgsqlDataSourceBuilder dataSource) =>
        dataSource.ConnectionStringBuilder.Options = CatalogSearch.TypoThresholdSetting;

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<CatalogDbContext>("catalogdb", UseTypoThreshold);
        // Public reads on the hot standby when the AppHost runs one (catalogdb-replica), else on catalogdb.
        CatalogStandby.Register(builder, dataSource =>
        {
            Database.ApplyPoolDefaults(dataSource);
            UseTypoThreshold(dataSource);
        });
        builder.Services.AddScoped<CatalogReads>();
        builder.AddServiceRedis();
        builder.AddInternalIdentity("catalog");
        builder.AddCardsGrpc();
        builder.Services.AddHostedService<CatalogueSeeder>();
        builder.AddSearchIndex();
        builder.Services.AddScoped<MovieLensImporter>();

        // Film changes go out through the outbox; Ratings' events come in as statistics.
        builder.AddEventOutboxRelay<CatalogDbContext>("catalogdb");
        builder.AddEventSubscription<CatalogDbContext, MovieStatisticsApplier>(MovieStatisticsApplier.Subscription, MovieStatisticsApplier.Topic);
        builder.AddEventSubscription<CatalogDbContext, UserDataEraser>(UserDataEraser.Subscription, UserDataEraser.Topic);

        // Rankings: Redis sorted sets kept by the statistics projection, rebuilt from catalogdb when lost.
        builder.Services.AddOptions<RankingsOptions>()
            .BindConfiguration(RankingsOptions.Section)
            .Validate(o => o.IsValid(), $"{RankingsOptions.Section}: the minimum rating count, trending days and every interval must be positive.")
            .ValidateOnStart();
        builder.Services.Configure<CardCacheOptions>(builder.Configuration.GetSection(CardCacheOptions.Section));
        builder.Services.AddSingleton<CardCache>();
        builder.Services.AddSingleton<StatisticsChanges>();
        builder.Services.AddSingleton<MovieRankings>();
        builder.Services.AddHostedService<RankingsProjection>();

        // HybridCache: in-process first level, Redis second. A failing Redis is a miss, not an error.
        builder.Services.AddStackExchangeRedisCache(_ => { });
        builder.Services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((options, services) =>
            options.ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddSingleton<CachedJson>();
        builder.Services.AddHybridCache(options => options.DefaultEntryOptions = new HybridCacheEntryOptions
        {
            Expiration = TimeSpan.FromMinutes(5),
            LocalCacheExpiration = TimeSpan.FromMinutes(1),
        });
    }
}
