using System.Diagnostics;

namespace Matcha.EventBus;

/// <summary>Spans of the relay and the consumers, each a child of the trace context the event carries.</summary>
internal static class EventTelemetry
{
    public const string SourceName = "Matcha.Events";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? Start(string name, ActivityKind kind, string? traceParent, string? traceState)
    {
        // Background loops carry no ambient activity of their own that the span should hang from.
        Activity.Current = null;
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent)
            ? Source.StartActivity(name, kind, parent)
            : Source.StartActivity(name, kind);
    }

    public static void Failed(this Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity?.AddException(exception);
    }
}
