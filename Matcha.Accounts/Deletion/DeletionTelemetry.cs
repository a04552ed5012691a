using System.Diagnostics;

namespace Matcha.Accounts.Deletion;

/// <summary>Spans of the saga's own work (resends, retries), each joined to the trace of the DELETE that started it.</summary>
internal static class DeletionTelemetry
{
    public const string SourceName = "Matcha.Accounts.Deletion";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartStep(AccountDeletion deletion, string action)
    {
        var name = $"account deletion {action} {deletion.Step}";
        var activity = ActivityContext.TryParse(deletion.TraceParent, deletion.TraceState, isRemote: true, out var parent)
            ? Source.StartActivity(name, ActivityKind.Internal, parent)
            : Source.StartActivity(name);
        activity?.SetTag("matcha.deletion.id", deletion.Id.ToString());
        activity?.SetTag("matcha.deletion.attempt", deletion.Attempt);
        return activity;
    }
}
