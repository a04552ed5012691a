using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Npgsql;

namespace Matcha.Bench.Load;

/// <summary>
/// Event lag from commit to commit, on one clock: Postgres's own (<c>track_commit_timestamp</c>,
/// which the benchmark turns on with <see cref="ServerArgs"/>; both databases live on one server). Ratings' commit is read from
/// the written row's <c>xmin</c> soon after the write was acknowledged, with the others of the last 50 ms
/// (its user writes nothing else meanwhile); Catalog's from its inbox row, which its consumer inserts in the transaction
/// that applies the event. An event Catalog has not applied when the run ends is lost: it counts
/// as infinitely late, so it moves the percentiles instead of dropping out of them. A drain waits
/// for Social too, the other consumer of Ratings' events, so that no round pays for the one before.
/// </summary>
internal sealed class EventLedger(NpgsqlDataSource ratingsDb, NpgsqlDataSource catalogDb, NpgsqlDataSource socialDb)
{
    /// <summary>
    /// What the ledger needs of the benchmark's Postgres: each transaction's commit time. Matcha's own Postgres runs
    /// without it (every commit would write its time under one lock for no reader), so the benchmark measures it with
    /// this cost, as it does with <see cref="PostgresProfile.ServerArgs"/>.
    /// </summary>
    public static readonly string[] ServerArgs = ["-c", "track_commit_timestamp=on"];

    private const string Subscription = "catalog-stats";
    private const string SocialSubscription = "social-ratings";
    private readonly ConcurrentDictionary<(string Aggregate, long Version), DateTime> _committed = new();

    /// <summary>
    /// Notes when the write's transaction committed in ratingsdb; completes once it is read. Writes are read together,
    /// every <see cref="CommitReadEvery"/>, by <see cref="ReadCommitsAsync"/>: one query per write at 200 writes/s was
    /// Postgres work and client CPU of the instrument's own, taken from the services it measures.
    /// </summary>
    public Task NoteCommitAsync(Write write, Written written)
    {
        if (written.AggregateId is null)
        {
            return Task.CompletedTask;
        }
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _noted.Writer.TryWrite(new Noted(write, written.AggregateId, read));
        return read.Task;
    }

    private static readonly TimeSpan CommitReadEvery = TimeSpan.FromMilliseconds(50);

    private sealed record Noted(Write Write, string AggregateId, TaskCompletionSource Read);

    private readonly Channel<Noted> _noted = Channel.CreateUnbounded<Noted>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Reads the commit times of the noted writes, a query per kind for all noted since the last, until <paramref name="stop"/> and none is left.</summary>
    public async Task ReadCommitsAsync(CancellationToken stop)
    {
        try
        {
            while (await _noted.Reader.WaitToReadAsync(stop))
            {
                await Task.Delay(CommitReadEvery, stop);
                await ReadNotedAsync();
            }
        }
        catch (OperationCanceledException)
        {
            await ReadNotedAsync();
        }
    }

    private async Task ReadNotedAsync()
    {
        var noted = new List<Noted>();
        while (_noted.Reader.TryRead(out var one))
        {
            noted.Add(one);
        }
        foreach (var kind in noted.GroupBy(n => n.Write.Kind))
        {
            var batch = kind.ToList();
            try
            {
                await ReadAsync(kind.Key, batch);
                // Each user writes nothing else until its write is read: the row read is the one it wrote.
                batch.ForEach(n => n.Read.TrySetResult());
            }
            catch (Exception e)
            {
                batch.ForEach(n => n.Read.TrySetException(e));
            }
        }
    }

    private async Task ReadAsync(WriteKind kind, List<Noted> batch)
    {
        await using var command = kind switch
        {
            WriteKind.Rating => ratingsDb.CreateCommand("""
                SELECT k.i, r.version, pg_xact_commit_timestamp(r.xmin) FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS k(user_id, movie_id, i)
                JOIN ratings r ON r.user_id = k.user_id AND r.movie_id = k.movie_id
                """),
            WriteKind.Wish => ratingsDb.CreateCommand("""
                SELECT k.i, w.version, pg_xact_commit_timestamp(w.xmin) FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS k(user_id, movie_id, i)
                JOIN wishlist_entries w ON w.user_id = k.user_id AND w.movie_id = k.movie_id
                """),
            _ => ratingsDb.CreateCommand("""
                SELECT k.i, 1::bigint, pg_xact_commit_timestamp(c.xmin) FROM unnest($1::bigint[]) WITH ORDINALITY AS k(id, i) JOIN comments c ON c.id = k.id
                """),
        };
        if (kind == WriteKind.Comment)
        {
            command.Parameters.Add(new() { Value = batch.Select(n => long.Parse(n.AggregateId["comment/".Length..], CultureInfo.InvariantCulture)).ToArray() });
        }
        else
        {
            command.Parameters.Add(new() { Value = batch.Select(n => n.Write.User.Id).ToArray() });
            command.Parameters.Add(new() { Value = batch.Select(n => n.Write.MovieId).ToArray() });
        }
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (!reader.IsDBNull(2))
                {
                    _committed[(batch[(int)reader.GetInt64(0) - 1].AggregateId, reader.GetInt64(1))] = reader.GetDateTime(2);
                }
            }
        }
    }

    /// <summary>The newest outbox row's id: events after it belong to what comes next.</summary>
    public async Task<long> OutboxPositionAsync()
    {
        await using var command = ratingsDb.CreateCommand("SELECT coalesce(max(id), 0) FROM outbox_messages");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Ratings' events committed and not yet applied by Catalog (relay and consumer together).</summary>
    public Task<long> BacklogAsync() => BacklogAsync(catalogDb, Subscription);

    /// <summary>The same for Social's feed, which reads the same events.</summary>
    public Task<long> SocialBacklogAsync() => BacklogAsync(socialDb, SocialSubscription);

    private async Task<long> BacklogAsync(NpgsqlDataSource consumerDb, string subscription)
    {
        await using var applied = consumerDb.CreateCommand($"SELECT count(*) FROM inbox_messages WHERE subscription = '{subscription}'");
        var consumed = (long)(await applied.ExecuteScalarAsync())!;
        return (await ProducedAsync(settle: false)).Count - consumed;
    }

    /// <summary>Ratings' events counted up to an outbox id (<see cref="ProducedAsync"/>).</summary>
    private (long UpTo, long Count) _produced;

    /// <summary>
    /// Ratings' events in the outbox: those counted up to <see cref="_produced"/>'s id, and the rows after it. Counting the
    /// whole table every 5 s of the steady phase took 166 ms and 5,000 buffers of Postgres a time by the run's end, in the
    /// middle of what the lag measures (docs/performance.md). <paramref name="settle"/> moves the counted id to the newest
    /// row: only while no write is in flight, since a row with a smaller id could otherwise commit after it and never count.
    /// </summary>
    private async Task<(long UpTo, long Count)> ProducedAsync(bool settle)
    {
        await using var command = ratingsDb.CreateCommand("SELECT count(*), coalesce(max(id), $1) FROM outbox_messages WHERE topic = 'ratings' AND id > $1");
        command.Parameters.Add(new() { Value = _produced.UpTo });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var produced = (reader.GetInt64(1), _produced.Count + reader.GetInt64(0));
        if (settle)
        {
            _produced = produced;
        }
        return produced;
    }

    /// <summary>Client connections to the server, active of all, per database: a pool that grows past the cores queues in Postgres.</summary>
    public async Task<string> ConnectionsAsync()
    {
        await using var command = ratingsDb.CreateCommand("""
            SELECT string_agg(format('%s %s/%s', datname, active, total), ', ' ORDER BY datname) FROM (
                SELECT datname, count(*) FILTER (WHERE state = 'active') AS active, count(*) AS total
                FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY datname) AS c
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Outbox rows the relay has not sent yet.</summary>
    public async Task<long> UnsentAsync()
    {
        await using var command = ratingsDb.CreateCommand("SELECT count(*) FROM outbox_messages WHERE published_at IS NULL");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Waits until Catalog and Social have applied every event Ratings committed; false if they have not within
    /// <paramref name="patience"/>. Called once the writes were acknowledged, with none in flight.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan patience)
    {
        await ProducedAsync(settle: true);
        var deadline = DateTime.UtcNow + patience;
        while (await BacklogAsync() > 0 || await SocialBacklogAsync() > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            // Not more often: two counts over growing tables every 100 ms took about a tenth of
            // Postgres's time at load, from the consumer being measured.
            await Task.Delay(1000);
        }
        return true;
    }

    /// <summary>Lags (ms) of the events with outbox ids in (<paramref name="after"/>, <paramref name="upTo"/>]; lost ones are +∞.</summary>
    public async Task<LagReport> LagsAsync(long after, long upTo)
    {
        // published_at is the relay's claim (its transaction's start, before the XADD); processed_at is the start of
        // Catalog's apply transaction. Both are Postgres's clock, as the commit times are.
        var events = new List<(Guid EventId, string Aggregate, long Version, DateTime OccurredAt, DateTime? ClaimedAt)>();
        await using (var command = ratingsDb.CreateCommand(
            "SELECT event_id, aggregate_id, aggregate_version, occurred_at, published_at FROM outbox_messages WHERE id > $1 AND id <= $2 AND topic = 'ratings'"))
        {
            command.Parameters.Add(new() { Value = after });
            command.Parameters.Add(new() { Value = upTo });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                events.Add((reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2), reader.GetDateTime(3),
                    reader.IsDBNull(4) ? null : reader.GetDateTime(4)));
            }
        }
        var applied = new Dictionary<Guid, (DateTime Began, DateTime Committed)>();
        await using (var command = catalogDb.CreateCommand(
            $"SELECT event_id, processed_at, pg_xact_commit_timestamp(xmin) FROM inbox_messages WHERE subscription = '{Subscription}' AND event_id = ANY($1)"))
        {
            command.Parameters.Add(new() { Value = events.Select(e => e.EventId).ToArray() });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                applied[reader.GetGuid(0)] = (reader.GetDateTime(1), reader.GetDateTime(2));
            }
        }
        var lags = new double[events.Count];
        var committedAt = new DateTime[events.Count];
        var stages = new LagStages?[events.Count];
        var unknownCommit = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var (eventId, aggregate, version, occurredAt, claimedAt) = events[i];
            if (!_committed.TryGetValue((aggregate, version), out var committed))
            {
                committed = occurredAt;   // set just before the commit: the lag is overstated by the write's own time, never understated
                unknownCommit++;
            }
            committedAt[i] = committed;
            if (applied.TryGetValue(eventId, out var at))
            {
                lags[i] = Math.Max(0, (at.Committed - committed).TotalMilliseconds);
                if (claimedAt is { } claimed)
                {
                    stages[i] = new LagStages(
                        Math.Max(0, (claimed - committed).TotalMilliseconds),
                        Math.Max(0, (at.Began - claimed).TotalMilliseconds),
                        Math.Max(0, (at.Committed - at.Began).TotalMilliseconds));
                }
            }
            else
            {
                lags[i] = double.PositiveInfinity;
            }
        }
        // now() is a transaction's start: the rows one claim marked share their published_at, and the inbox rows one
        // apply recorded their processed_at.
        var claims = events.Select(e => e.ClaimedAt).OfType<DateTime>().ToList();
        var batches = new EventBatches(claims.Count, claims.Distinct().Count(), applied.Count, applied.Values.Select(a => a.Began).Distinct().Count());
        return new LagReport(lags, unknownCommit, committedAt, stages, batches);
    }
}

/// <summary>
/// How many claims of the relay and applies of Catalog's consumer carried the phase's events: each batch costs round
/// trips and statements of its own, whatever its size.
/// </summary>
internal sealed record EventBatches(int Claimed, int Claims, int Applied, int Applies)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"the relay's claims {Claimed / (double)Math.Max(Claims, 1):F1} ({Claims} claims), Catalog's applies {Applied / (double)Math.Max(Applies, 1):F1} ({Applies} applies)");
}

/// <summary>One applied event's lag in its three stages, ms.</summary>
internal sealed record LagStages(double ToClaimMs, double ToApplyMs, double ApplyMs);

/// <summary>
/// The steady phase's lags, each with when its write committed in Ratings (<see cref="CommittedAt"/>) and its stages
/// (<see cref="Stages"/>, null for an event not applied or not claimed), all in the same order.
/// </summary>
internal sealed record LagReport(double[] LagsMs, int UnknownCommitTimes, DateTime[] CommittedAt, IReadOnlyList<LagStages?> Stages, EventBatches Batches)
{
    public int Unapplied => LagsMs.Count(double.IsPositiveInfinity);

    public double Percentile(double p) => Percentile(LagsMs, p);

    /// <summary>
    /// Where an applied event's lag went, p50/p99 of each stage: from Ratings' commit to the relay's claim (the
    /// wake-up and the candidates' read), from the claim to the start of Catalog's apply (the XADD, Redis, the
    /// consumer's wake-up and read), and the apply itself to its commit.
    /// </summary>
    public string ByStage()
    {
        string Stage(string name, Func<LagStages, double> ms)
        {
            var values = Stages.OfType<LagStages>().Select(ms).ToArray();
            return string.Create(CultureInfo.InvariantCulture, $"{name} {Percentile(values, 50):F0}/{Percentile(values, 99):F0}");
        }
        return $"{Stage("commit -> relay's claim", s => s.ToClaimMs)}  {Stage("claim -> Catalog's apply begins", s => s.ToApplyMs)}  " +
            $"{Stage("apply -> its commit", s => s.ApplyMs)}";
    }

    /// <summary>
    /// The applied events at or above the p99, which set it: how many, the median of each of their stages, and in how
    /// many bursts they came (events whose writes committed within <paramref name="apart"/> of the one before count as
    /// one). A few long bursts are stalls, something that stopped a stage for everyone at once; many short ones are
    /// events that were each slow on their own.
    /// </summary>
    public string Slowest(TimeSpan apart)
    {
        var p99 = Percentile(99);
        var slow = LagsMs.Select((lag, i) => (lag, i)).Where(e => e.lag >= p99 && Stages[e.i] is not null)
            .OrderBy(e => CommittedAt[e.i]).ToList();
        if (slow.Count == 0)
        {
            return "none";
        }
        var bursts = new List<List<int>> { new() { slow[0].i } };
        foreach (var (before, next) in slow.Zip(slow.Skip(1)))
        {
            if (CommittedAt[next.i] - CommittedAt[before.i] > apart)
            {
                bursts.Add([]);
            }
            bursts[^1].Add(next.i);
        }
        double Median(Func<LagStages, double> ms) => Percentile([.. slow.Select(e => ms(Stages[e.i]!))], 50);
        // When each burst's writes committed (Postgres's clock, UTC): to be laid beside what else ran at that moment.
        var when = string.Join(", ", bursts.Select(b => string.Create(CultureInfo.InvariantCulture,
            $"{CommittedAt[b[0]]:HH:mm:ss.fff} +{(CommittedAt[b[^1]] - CommittedAt[b[0]]).TotalMilliseconds:F0} ms ({b.Count})")));
        return string.Create(CultureInfo.InvariantCulture,
            $"{slow.Count} events in {bursts.Count} burst(s); their stages' medians, ms: to the claim {Median(s => s.ToClaimMs):F0}, " +
            $"to the apply {Median(s => s.ToApplyMs):F0}, the apply {Median(s => s.ApplyMs):F0}; the bursts: {when}");
    }

    /// <summary>
    /// p99 and max of the lags per <paramref name="window"/> of commit time: a p99 set by a burst or two shows as a few
    /// windows, one set by the rate shows in all of them.
    /// </summary>
    public IEnumerable<string> ByWindow(TimeSpan window)
    {
        if (LagsMs.Length == 0)
        {
            yield break;
        }
        var start = CommittedAt.Min();
        foreach (var group in LagsMs.Select((lag, i) => (lag, i)).GroupBy(e => (int)((CommittedAt[e.i] - start) / window)).OrderBy(g => g.Key))
        {
            var lags = group.Select(e => e.lag).ToArray();
            yield return string.Create(CultureInfo.InvariantCulture, $"{group.Key * window.TotalSeconds:F0}s {Percentile(lags, 99):F0}/{lags.Max():F0}");
        }
    }

    private static double Percentile(double[] lags, double p)
    {
        if (lags.Length == 0)
        {
            return double.NaN;
        }
        var sorted = lags.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
