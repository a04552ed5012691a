using Matcha.EventBus;
using Matcha.Social.Data;

namespace Matcha.Social.Members;

/// <summary>Social's reading of Accounts' AccountProfileChanged v1 (sign-up and every rename).</summary>
public sealed record AccountProfileChanged(Guid UserId, string DisplayName);

/// <summary>
/// Keeps <see cref="Member"/> in step with Accounts (event-carried state transfer): the name is
/// copied, never fetched, so profiles and lists need no call to Accounts. The consumer has
/// already dropped versions older than the one applied.
/// </summary>
internal sealed class AccountEventsApplier(TimeProvider clock) : IEventApplier<SocialDbContext>
{
    public const string Subscription = "social-accounts";
    public const string Topic = "accounts";

    public async Task ApplyAsync(EventEnvelope envelope, SocialDbContext db, CancellationToken cancellationToken)
    {
        if (envelope.Type != nameof(AccountProfileChanged))
        {
            return;
        }
        var changed = envelope.PayloadAs<AccountProfileChanged>();
        var member = await db.Members.FindAsync([changed.UserId], cancellationToken);
        if (member is null)
        {
            member = new Member { UserId = changed.UserId, Handle = Guid.NewGuid(), DisplayName = changed.DisplayName, JoinedAt = clock.GetUtcNow() };
            db.Members.Add(member);
        }
        member.DisplayName = changed.DisplayName.Length > Member.MaxDisplayNameLength
            ? changed.DisplayName[..Member.MaxDisplayNameLength]
            : changed.DisplayName;
        member.Version = envelope.AggregateVersion;
    }
}
