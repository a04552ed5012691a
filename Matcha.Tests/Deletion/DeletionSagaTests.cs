using Matcha.Accounts.Deletion;

namespace Matcha.Tests.Deletion;

/// <summary>The saga's rules on their own: steps in order, replies out of turn ignored, back-off, giving up, an operator's retry.</summary>
public sealed class DeletionSagaTests
{
    private static readonly DeletionOptions Options = new() { StepTimeout = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromSeconds(60), MaxAttempts = 4 };
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);

    private static AccountDeletion NewDeletion() => DeletionSaga.Start(Guid.NewGuid(), Start, Options, null, null);

    private static UserDataErased Reply(AccountDeletion deletion, DeletionStep step, params Guid[] removals) => new(deletion.Id, step, 1, removals);

    [Fact]
    public void StepsRunRatingsThenCatalogThenRatingsEventsThenSocialEachAwaitingTheEventsItMustHaveApplied()
    {
        var deletion = NewDeletion();
        Guid[] names = [Guid.NewGuid()];
        deletion.ProfileEventIds = [.. names];
        Assert.Equal((DeletionState.Running, DeletionStep.Ratings), (deletion.State, deletion.Step));
        Assert.Equal(DeletionStep.Ratings, deletion.Command().Step);
        Assert.Empty(deletion.Command().AwaitedEventIds);

        Guid[] removals = [Guid.NewGuid(), Guid.NewGuid()];
        Assert.True(deletion.Confirm(Reply(deletion, DeletionStep.Ratings, removals), Start.AddSeconds(1), Options));
        Assert.Equal(DeletionStep.Catalog, deletion.Step);
        Assert.Equal(removals, deletion.Command().AwaitedEventIds);

        Assert.True(deletion.Confirm(Reply(deletion, DeletionStep.Catalog), Start.AddSeconds(2), Options));
        Assert.Equal(DeletionStep.RatingsEvents, deletion.Step);
        Assert.Equal(names, deletion.Command().AwaitedEventIds);

        Assert.True(deletion.Confirm(Reply(deletion, DeletionStep.RatingsEvents), Start.AddSeconds(3), Options));
        Assert.Equal(DeletionStep.Social, deletion.Step);
        Assert.Equal(DeletionState.Running, deletion.State);
        Assert.Equal([.. removals, .. names], deletion.Command().AwaitedEventIds);

        Assert.True(deletion.Confirm(Reply(deletion, DeletionStep.Social), Start.AddSeconds(4), Options));
        Assert.Equal(DeletionState.Completed, deletion.State);
        Assert.Equal(Start.AddSeconds(4), deletion.CompletedAt);
    }

    [Fact]
    public void AReplyForAnotherStepOrAfterCompletionChangesNothing()
    {
        var deletion = NewDeletion();
        Assert.False(deletion.Confirm(Reply(deletion, DeletionStep.Catalog), Start, Options));
        Assert.Equal(DeletionStep.Ratings, deletion.Step);

        deletion.Confirm(Reply(deletion, DeletionStep.Ratings, Guid.NewGuid()), Start, Options);
        var awaited = deletion.RemovalEventIds.ToList();
        // A late answer to a resent Ratings command (nothing left to erase) must not replace what Catalog waits for.
        Assert.False(deletion.Confirm(Reply(deletion, DeletionStep.Ratings), Start, Options));
        Assert.Equal(awaited, deletion.RemovalEventIds);

        deletion.Confirm(Reply(deletion, DeletionStep.Catalog), Start, Options);
        deletion.Confirm(Reply(deletion, DeletionStep.RatingsEvents), Start, Options);
        deletion.Confirm(Reply(deletion, DeletionStep.Social), Start, Options);
        Assert.False(deletion.Confirm(Reply(deletion, DeletionStep.Social), Start.AddMinutes(1), Options));
        Assert.Equal(Start, deletion.CompletedAt);
    }

    [Fact]
    public void ASilentStepIsSentAgainWithGrowingWaitsThenNeedsAttention()
    {
        var deletion = NewDeletion();
        Assert.False(deletion.TimedOut(Start.AddSeconds(9), Options));

        var now = Start.AddSeconds(10);
        var waits = new List<TimeSpan>();
        var attempts = new List<int>();
        while (deletion.TimedOut(now, Options))
        {
            waits.Add(deletion.NextAttemptAt - now);
            attempts.Add(deletion.Attempt);
            now = deletion.NextAttemptAt;
        }

        Assert.Equal([2, 3, 4], attempts);
        Assert.Equal([TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(60)], waits);
        Assert.Equal(DeletionState.NeedsAttention, deletion.State);
        Assert.Contains("Ratings did not confirm after 4 attempts", deletion.LastError);
        Assert.False(deletion.TimedOut(now.AddHours(1), Options));
    }

    [Fact]
    public void AnOperatorsRetrySendsTheStepAgainWithANewerAttemptAndAFreshBudget()
    {
        var deletion = NewDeletion();
        var now = Start;
        while (deletion.State == DeletionState.Running)
        {
            now = deletion.NextAttemptAt;
            deletion.TimedOut(now, Options);
        }
        var lastAttempt = deletion.Attempt;

        Assert.True(deletion.Retry(now, Options));
        Assert.Equal(DeletionState.Running, deletion.State);
        Assert.True(deletion.Command().Attempt > lastAttempt, "the inbox drops a command whose attempt is not newer");
        Assert.Null(deletion.LastError);
        Assert.True(deletion.TimedOut(deletion.NextAttemptAt, Options));
        Assert.False(deletion.Retry(now, Options));   // only a deletion that needs attention is retried
    }
}
