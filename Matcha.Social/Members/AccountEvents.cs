using Matcha.EventBus;
using Matcha.Social.Data;

namespace Matcha.Social.Members;

/// <summary>
/// Social's reading of Accounts' AccountProfileChanged (sign-up and every rename). v2 carries the
/// account's public <see cref="Handle"/>; a v1 event has none, and Social mints one as before.
/// </summary>
public sealed record AccountProfileChanged(Guid UserId, string DisplayName, Guid? Handle = null);

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
        // Born in Accounts, so a profile link is the same wherever the account is shown.
        member.Handle = changed.Handle ?? member.Handle;
        member.DisplayName = changed.DisplayName.Length > Member.MaxDisplayNameLength
            ? changed.DisplayName[..Member.MaxDisplayNameLength]
            : changed.DisplayName;
        member.Version = envelope.AggregateVersion;
    }
}
