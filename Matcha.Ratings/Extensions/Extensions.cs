using System.Text.Json;
using System.Text.Json.Serialization;
using Matcha.Ratings.Data;
using Matcha.Ratings.Movies;
using Matcha.ServiceDefaults.Events;

namespace Matcha.Ratings;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RatingsDbContext>("ratingsdb");
        builder.AddRedisClient("redis");
        builder.AddInternalIdentity("ratings");
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        builder.AddEventOutboxRelay();
        builder.AddEventSubscription<RatingsDbContext, CatalogEventsApplier>(CatalogEventsApplier.Subscription, CatalogEventsApplier.Topic);
    }
}
