using System.Text.Json;
using System.Text.Json.Serialization;
using Matcha.Data;
using Matcha.Data.Erasure;
using Matcha.EventBus;
using Matcha.Ratings.Authors;
using Matcha.Ratings.Data;
using Matcha.Ratings.Erasure;
using Matcha.Ratings.Movies;
using Matcha.Ratings.Profiles;
using Matcha.Ratings.Recommendations;
using Matcha.Ratings.Recommendations.Serving;

namespace Matcha.Ratings;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RatingsDbContext>("ratingsdb");
        builder.Services.AddExceptionHandler<ErasedUserWriteHandler>();
        builder.AddServiceRedis();
        builder.AddInternalIdentity("ratings");
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        builder.AddRecommendations();
        builder.AddEventOutboxRelay<RatingsDbContext>("ratingsdb");
        builder.AddEventSubscription<RatingsDbContext, CatalogEventsApplier>(CatalogEventsApplier.Subscription, CatalogEventsApplier.Topic);
        builder.AddEventSubscription<RatingsDbContext, AccountEventsApplier>(AccountEventsApplier.Subscription, AccountEventsApplier.Topic);
        builder.AddEventSubscription<RatingsDbContext, SocialEventsApplier>(SocialEventsApplier.Subscription, SocialEventsApplier.Topic);
        builder.AddEventSubscription<RatingsDbContext, UserDataEraser>(UserDataEraser.Subscription, UserDataEraser.Topic);
    }

    private static void AddRecommendations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RecommendationOptions>().BindConfiguration(RecommendationOptions.Section).ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<CurrentModel>();
        builder.Services.AddSingleton<ModelTrainer>();
        builder.Services.AddSingleton<PersonalModels>();
        builder.Services.AddSingleton<FilmShelf>();
        builder.Services.AddSingleton<EveryonesAverage>();
        builder.Services.AddSingleton<ModelTrainingService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ModelTrainingService>());
    }
}
