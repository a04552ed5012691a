using System.Globalization;
using Matcha.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using StackExchange.Redis;

namespace Matcha.EventBus;

/// <summary>A message that kept failing, as an operator sees it.</summary>
public sealed record DeadLetterView(
    string Subscription, string Id, string? Type, Guid? EventId, string? AggregateId, long? AggregateVersion,
    string Error, int Attempts, string? FailedAt);

public sealed record ReplayResult(string Subscription, string Id, ApplyOutcome Outcome);

/// <summary>
/// <c>GET /admin/dead-letters</c> lists every subscription's dead letters;
/// <c>POST /admin/dead-letters/{subscription}/{id}/replay</c> applies one through the
/// subscription's normal path (inbox included, so a replay never applies twice) and removes it
/// when that succeeded. Both require the <c>admin</c> role.
/// </summary>
public static class DeadLetters
{
    private const int ListLimit = 500;

    public static IEndpointRouteBuilder MapDeadLetterEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/dead-letters")
            .WithTags("Dead letters")
            .RequireAuthorization(policy => policy.RequireRole(InternalIdentity.AdminRole));
        group.MapGet("/", ListDeadLetters).WithSummary("Lists the messages that kept failing, oldest first, per subscription.");
        group.MapPost("/{subscription}/{id}/replay", ReplayDeadLetter).WithSummary("Applies one dead letter again; removes it once applied.");
        return app;
    }

    private static async Task<Ok<List<DeadLetterView>>> ListDeadLetters(IEnumerable<IEventSubscription> subscriptions, IConnectionMultiplexer redis)
    {
        var database = redis.GetDatabase();
        var views = new List<DeadLetterView>();
        foreach (var subscription in subscriptions)
        {
            var entries = await database.StreamRangeAsync(subscription.DeadLetterKey, count: ListLimit);
            views.AddRange(entries.Select(e => View(subscription.Name, e)));
        }
        return TypedResults.Ok(views);
    }

    private static async Task<Results<Ok<ReplayResult>, NotFound, ProblemHttpResult>> ReplayDeadLetter(
        string subscription, string id, IEnumerable<IEventSubscription> subscriptions, IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var target = subscriptions.FirstOrDefault(s => s.Name == subscription);
        if (target is null)
        {
            return TypedResults.NotFound();
        }
        var database = redis.GetDatabase();
        var found = await database.StreamRangeAsync(target.DeadLetterKey, id, id, count: 1);
        if (found is not [var entry])
        {
            return TypedResults.NotFound();
        }
        if (!EventEnvelope.TryParse(entry[EventConsumer.EnvelopeField], out var envelope))
        {
            return TypedResults.Problem("The dead letter is not a readable event envelope; it cannot be replayed.", statusCode: StatusCodes.Status409Conflict);
        }
        try
        {
            var outcome = await target.ApplyAsync(envelope, cancellationToken);
            await database.StreamDeleteAsync(target.DeadLetterKey, [entry.Id]);
            return TypedResults.Ok(new ReplayResult(target.Name, id, outcome));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Problem($"Replaying failed again; the dead letter stays: {ex.Message}", statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static DeadLetterView View(string subscription, StreamEntry entry)
    {
        _ = EventEnvelope.TryParse(entry[EventConsumer.EnvelopeField], out var envelope);
        return new DeadLetterView(
            subscription,
            entry.Id.ToString(),
            envelope?.Type,
            envelope?.EventId,
            envelope?.AggregateId,
            envelope?.AggregateVersion,
            entry["error"].ToString(),
            int.TryParse(entry["attempts"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var attempts) ? attempts : 0,
            entry["failed-at"].IsNull ? null : entry["failed-at"].ToString());
    }
}
