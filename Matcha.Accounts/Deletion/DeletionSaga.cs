namespace Matcha.Accounts.Deletion;

/// <summary>
/// The saga's rules, apart from any I/O: what a reply or a timeout does to a deletion, and
/// which command goes out next. The caller persists the deletion and queues the command in
/// one transaction.
/// </summary>
public static class DeletionSaga
{
    public static AccountDeletion Start(Guid userId, DateTimeOffset now, DeletionOptions options, string? traceParent, string? traceState) => new()
    {
        Id = Guid.NewGuid(),
        UserId = userId,
        State = DeletionState.Running,
        Step = DeletionStep.Ratings,
        Attempt = 1,
        Sends = 1,
        NextAttemptAt = now + options.StepTimeout,
        RequestedAt = now,
        UpdatedAt = now,
        TraceParent = traceParent,
        TraceState = traceState,
    };

    /// <summary>
    /// The command for the current step and attempt, with the events the step must have applied
    /// first: Catalog Ratings' removals; RatingsEvents the account's name announcements (Ratings
    /// forgets the traces of the events about the user, so a late one must not come after); Social both.
    /// </summary>
    public static EraseUserData Command(this AccountDeletion deletion) =>
        new(deletion.Id, deletion.UserId, deletion.Step, deletion.Attempt, deletion.Step switch
        {
            DeletionStep.RatingsEvents => deletion.ProfileEventIds,
            DeletionStep.Catalog => deletion.RemovalEventIds,
            DeletionStep.Social => [.. deletion.RemovalEventIds, .. deletion.ProfileEventIds],
            _ => [],
        });

    /// <summary>
    /// A participant confirmed. A reply for another step (a late answer to an earlier attempt
    /// of a step already passed, or any reply once completed) changes nothing. Returns true
    /// when the deletion moved on; <see cref="DeletionState.Completed"/> means Accounts must
    /// now erase the account.
    /// </summary>
    public static bool Confirm(this AccountDeletion deletion, UserDataErased reply, DateTimeOffset now, DeletionOptions options)
    {
        if (deletion.State == DeletionState.Completed || reply.Step != deletion.Step)
        {
            return false;
        }
        if (deletion.Step == DeletionStep.Ratings)
        {
            deletion.RemovalEventIds = [.. reply.RemovalEventIds ?? []];
        }
        deletion.State = DeletionState.Running;
        deletion.LastError = null;
        deletion.UpdatedAt = now;
        if (deletion.Step == DeletionStep.Social)
        {
            deletion.State = DeletionState.Completed;
            deletion.CompletedAt = now;
            return true;
        }
        deletion.Step += 1;
        deletion.Attempt = 1;
        deletion.Sends = 1;
        deletion.NextAttemptAt = now + options.StepTimeout;
        return true;
    }

    /// <summary>
    /// The current step has not answered in time: send it again after a longer wait, or, once
    /// <see cref="DeletionOptions.MaxAttempts"/> sends went unanswered, stop and wait for an
    /// operator. Returns true when the command must be sent again.
    /// </summary>
    public static bool TimedOut(this AccountDeletion deletion, DateTimeOffset now, DeletionOptions options)
    {
        if (deletion.State != DeletionState.Running || now < deletion.NextAttemptAt)
        {
            return false;
        }
        deletion.UpdatedAt = now;
        if (deletion.Sends >= options.MaxAttempts)
        {
            deletion.State = DeletionState.NeedsAttention;
            deletion.LastError = $"{deletion.Step} did not confirm after {deletion.Sends} attempts.";
            return false;
        }
        deletion.Attempt += 1;
        deletion.Sends += 1;
        deletion.NextAttemptAt = now + Backoff(deletion.Sends, options);
        return true;
    }

    /// <summary>An operator's retry: the current step is sent again at once, with a fresh budget of attempts.</summary>
    public static bool Retry(this AccountDeletion deletion, DateTimeOffset now, DeletionOptions options)
    {
        if (deletion.State != DeletionState.NeedsAttention)
        {
            return false;
        }
        deletion.State = DeletionState.Running;
        deletion.Attempt += 1;
        deletion.Sends = 1;
        deletion.NextAttemptAt = now + options.StepTimeout;
        deletion.UpdatedAt = now;
        deletion.LastError = null;
        return true;
    }

    /// <summary>StepTimeout, doubled with each send, capped at MaxBackoff.</summary>
    public static TimeSpan Backoff(int sends, DeletionOptions options)
    {
        var factor = Math.Pow(2, Math.Min(sends - 1, 20));
        var wait = TimeSpan.FromTicks((long)Math.Min(options.StepTimeout.Ticks * factor, options.MaxBackoff.Ticks));
        return wait < options.StepTimeout ? options.StepTimeout : wait;
    }
}
