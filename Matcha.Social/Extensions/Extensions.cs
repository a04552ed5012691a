using System.Text.Json;
using System.Text.Json.Serialization;
using Matcha.Data;
using Matcha.Data.Erasure;
using Matcha.EventBus;
using Matcha.Social.Data;
using Matcha.Social.Erasure;
using Matcha.Social.Feed;
using Matcha.Social.Members;

namespace Matcha.Social;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // The feed's statements are planned once per connection, not per request (Database.PrepareRepeatedStatements).
        builder.AddServiceDatabase<SocialDbContext>("socialdb");
        builder.Services.AddExceptionHandler<ErasedUserWriteHandler>();
        builder.AddFeedConcurrency();
        builder.AddServiceRedis();
        builder.AddInternalIdentity("social");
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        // Social publishes its members' privacy changes (to Ratings) and the saga's replies; the relay sends them.
        // Names come from Accounts, the feed's activities from Ratings.
        builder.AddEventOutboxRelay<SocialDbContext>("socialdb");
        builder.AddEventSubscription<SocialDbContext, AccountEventsApplier>(AccountEventsApplier.Subscription, AccountEventsApplier.Topic);
        builder.AddEventSubscription<SocialDbContext, RatingsEventsApplier>(RatingsEventsApplier.Subscription, RatingsEventsApplier.Topic);
        builder.AddEventSubscription<SocialDbContext, UserDataEraser>(UserDataEraser.Subscription, UserDataEraser.Topic);
    }
}
