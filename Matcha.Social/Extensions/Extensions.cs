using Matcha.Data;
using Matcha.EventBus;
using Matcha.Social.Data;
using Matcha.Social.Erasure;
using Matcha.Social.Members;

namespace Matcha.Social;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<SocialDbContext>("socialdb");
        builder.AddRedisClient("redis");
        builder.AddInternalIdentity("social");

        // Social publishes only the saga's replies; the relay is what sends them.
        builder.AddEventOutboxRelay();
        builder.AddEventSubscription<SocialDbContext, AccountEventsApplier>(AccountEventsApplier.Subscription, AccountEventsApplier.Topic);
        builder.AddEventSubscription<SocialDbContext, UserDataEraser>(UserDataEraser.Subscription, UserDataEraser.Topic);
    }
}
