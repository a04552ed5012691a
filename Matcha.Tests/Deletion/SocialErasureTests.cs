using Matcha.EventBus;
using Matcha.Social.Data;
using Matcha.Social.Erasure;
using Matcha.Social.Members;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matcha.Tests.Deletion;

/// <summary>
/// Social's saga step against its real database, in one transaction the running relay cannot see:
/// an announcement about the user that is still unpublished when the step runs would be published
/// after the step forgot the user's events, and stay in the outbox naming them.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class SocialErasureTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task SocialConfirmsItsStepOnlyOnceItsAnnouncementsAboutTheUserHaveGoneOut()
    {
        var options = new DbContextOptionsBuilder<SocialDbContext>()
            .UseNpgsql(await fixture.ConnectionStringAsync("socialdb"))
            .UseSnakeCaseNamingConvention()
            .Options;
        var (userId, deletionId) = (Guid.NewGuid(), Guid.NewGuid());
        await using var db = new SocialDbContext(options);
        await using var transaction = await db.Database.BeginTransactionAsync();
        // A privacy change committed an instant before the deletion, which the relay has not sent yet.
        var privacy = db.AddEvent(new MemberPrivacyChanged(userId, true, 1));
        await db.SaveChangesAsync();
        var eraser = new UserDataEraser(TimeProvider.System, NullLogger<UserDataEraser>.Instance);
        var command = EventsDriver.Envelope(nameof(EraseUserData), $"deletion/{deletionId}", 1,
            new EraseUserData(deletionId, userId, ErasureSteps.Social, 1, []));

        await eraser.ApplyAsync(command, db, CancellationToken.None);
        await db.SaveChangesAsync();
        Assert.Equal(0, await ConfirmationsAsync(db, deletionId));
        Assert.Equal(1, await db.Set<OutboxMessage>().CountAsync(m => m.EventId == privacy.EventId));

        // Once the relay has sent it, the command sent again confirms, and the announcement is forgotten.
        await db.Database.ExecuteSqlAsync($"UPDATE outbox_messages SET published_at = now() WHERE event_id = {privacy.EventId}");
        await eraser.ApplyAsync(command, db, CancellationToken.None);
        await db.SaveChangesAsync();
        Assert.Equal(1, await ConfirmationsAsync(db, deletionId));
        Assert.Equal(0, await db.Set<OutboxMessage>().CountAsync(m => m.EventId == privacy.EventId));

        await transaction.RollbackAsync();
    }

    private static Task<int> ConfirmationsAsync(SocialDbContext db, Guid deletionId) =>
        db.Set<OutboxMessage>().CountAsync(m => m.Type == nameof(UserDataErased) && m.AggregateId.StartsWith($"deletion/{deletionId}/"));
}
