using Matcha.Data.Erasure;
using Matcha.EventBus;
using Matcha.Ratings.Data;

namespace Matcha.Ratings.Profiles;

/// <summary>Ratings' reading of Social's MemberPrivacyChanged v1.</summary>
public sealed record MemberPrivacyChanged(Guid UserId, bool IsPrivate);

/// <summary>
/// Keeps <see cref="ProfilePrivacy"/> in step with Social (event-carried state transfer), so a
/// profile list answers without a call to Social. The consumer has already dropped versions older
/// than the one applied; an account already erased here is not brought back.
/// </summary>
internal sealed class SocialEventsApplier : IEventApplier<RatingsDbContext>
{
    public const string Subscription = "ratings-social";
    public const string Topic = "social";

    public async Task ApplyAsync(EventEnvelope envelope, RatingsDbContext db, CancellationToken cancellationToken)
    {
        if (envelope.Type != nameof(MemberPrivacyChanged))
        {
            return;
        }
        var changed = envelope.PayloadAs<MemberPrivacyChanged>();
        if (await db.IsErasedAsync(changed.UserId, cancellationToken))
        {
            // Relayed late, perhaps after the saga's last step here: the inbox has just recorded
            // it under the user's aggregate, so that trace is forgotten too (docs/sagas.md).
            await db.ForgetAsync(changed.UserId, hasInbox: true, cancellationToken);
            return;
        }
        var privacy = await db.ProfilePrivacies.FindAsync([changed.UserId], cancellationToken);
        if (privacy is null)
        {
            privacy = new ProfilePrivacy { UserId = changed.UserId };
            db.ProfilePrivacies.Add(privacy);
        }
        privacy.IsPrivate = changed.IsPrivate;
        privacy.Version = envelope.AggregateVersion;
    }
}
