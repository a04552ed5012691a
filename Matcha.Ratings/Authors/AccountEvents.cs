using Matcha.Data.Erasure;
using Matcha.EventBus;
using Matcha.Ratings.Data;

namespace Matcha.Ratings.Authors;

/// <summary>Ratings' reading of Accounts' AccountProfileChanged v2 (sign-up and every rename); a v1 event has no handle and is skipped.</summary>
public sealed record AccountProfileChanged(Guid UserId, string DisplayName, Guid? Handle = null);

/// <summary>
/// Keeps <see cref="Author"/> in step with Accounts (event-carried state transfer). The consumer
/// has already dropped versions older than the one applied. An account already erased here is
/// not brought back: an announcement made just before the deletion that arrives after the
/// erasure is skipped, and the saga's later step (RatingsEvents) waits for it before forgetting
/// the events about the user, so it leaves no trace either.
/// </summary>
internal sealed class AccountEventsApplier : IEventApplier<RatingsDbContext>
{
    public const string Subscription = "ratings-accounts";
    public const string Topic = "accounts";

    public async Task ApplyAsync(EventEnvelope envelope, RatingsDbContext db, CancellationToken cancellationToken)
    {
        if (envelope.Type != nameof(AccountProfileChanged) || envelope.PayloadAs<AccountProfileChanged>() is not { Handle: { } handle } changed)
        {
            return;
        }
        if (await db.IsErasedAsync(changed.UserId, cancellationToken))
        {
            // The trace the inbox has just recorded under the user's aggregate goes too.
            await db.ForgetAsync(changed.UserId, hasInbox: true, cancellationToken);
            return;
        }
        var author = await db.Authors.FindAsync([changed.UserId], cancellationToken);
        if (author is null)
        {
            author = new Author { UserId = changed.UserId, DisplayName = changed.DisplayName };
            db.Authors.Add(author);
        }
        author.Handle = handle;
        author.DisplayName = changed.DisplayName.Length > Author.MaxDisplayNameLength
            ? changed.DisplayName[..Author.MaxDisplayNameLength]
            : changed.DisplayName;
        author.Version = envelope.AggregateVersion;
    }
}
