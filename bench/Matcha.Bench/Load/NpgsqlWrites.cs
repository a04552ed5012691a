using System.Text.Json;
using Matcha.EventBus;
using Matcha.Ratings.Comments;
using Matcha.Ratings.Ratings;
using Matcha.Ratings.Wishlist;
using Npgsql;
using NpgsqlTypes;

namespace Matcha.Bench.Load;

/// <summary>
/// The limit: the statements Ratings sends for each write, in the same transactions and round
/// trips (the film check, then BEGIN with the row's upsert, the row locked with FOR UPDATE, the
/// update and its outbox row in one batch, COMMIT; a comment's insert and its outbox row in two
/// round trips, as its two SaveChanges), from a bare Npgsql client with no HTTP, no gateway, no
/// token and no EF Core. Its outbox rows are real events (same payloads as Ratings writes), so the
/// relay and Catalog count them like any other.
/// </summary>
internal sealed class NpgsqlWrites(NpgsqlDataSource ratingsDb) : IWriteTarget
{
    private const string InsertOutbox = """
        INSERT INTO outbox_messages (aggregate_id, aggregate_version, event_id, occurred_at, payload, published_at, schema_version, topic, trace_parent, trace_state, type)
        VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, NULL, NULL, $8) RETURNING id
        """;

    public string Name => "limit (bare Npgsql)";

    public async Task<Written> WriteAsync(Write write, CancellationToken cancellationToken)
    {
        await using var connection = await ratingsDb.OpenConnectionAsync(cancellationToken);
        return write.Kind switch
        {
            WriteKind.Rating => await RateAsync(connection, write, cancellationToken),
            WriteKind.Wish => await WishAsync(connection, write, cancellationToken),
            _ => await CommentAsync(connection, write, cancellationToken),
        };
    }

    private static async Task<Written> RateAsync(NpgsqlConnection connection, Write write, CancellationToken cancellationToken)
    {
        await using (var film = new NpgsqlCommand("SELECT * FROM movies WHERE id = $1 AND removed_at IS NULL LIMIT 2", connection) { Parameters = { new() { Value = write.MovieId } } })
        await using (var reader = await film.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new Written(null, 0, "404 Rating");
            }
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (version, (score, rejected)) = await LockAsync(connection, transaction, "ratings", "score, rejected_reason IS NOT NULL", write,
            reader => (reader.IsDBNull(1) ? (decimal?)null : reader.GetDecimal(1), reader.GetBoolean(2)), cancellationToken);
        if (score == write.Score && !rejected)
        {
            await transaction.CommitAsync(cancellationToken);
            return new Written(null, 0);
        }
        var now = DateTimeOffset.UtcNow;
        var changed = new RatingChanged(write.MovieId, write.User.Id, rejected ? null : score, write.Score, version + 1, now);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE ratings SET rejected_reason = NULL, score = $1, updated_at = $2, version = $3 WHERE user_id = $4 AND movie_id = $5")
            {
                Parameters = { new() { Value = write.Score }, new() { Value = now }, new() { Value = version + 1 }, new() { Value = write.User.Id }, new() { Value = write.MovieId } },
            });
            batch.BatchCommands.Add(Outbox(changed));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new Written(changed.AggregateId, changed.Version);
    }

    private static async Task<Written> WishAsync(NpgsqlConnection connection, Write write, CancellationToken cancellationToken)
    {
        if (!await FilmExistsAsync(connection, write.MovieId, cancellationToken))
        {
            return new Written(null, 0, "404 Wish");
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (version, state) = await LockAsync(connection, transaction, "wishlist_entries", "state", write,
            reader => reader.IsDBNull(1) ? (WishState?)null : Enum.Parse<WishState>(reader.GetString(1)), cancellationToken);
        if (state == write.State)
        {
            await transaction.CommitAsync(cancellationToken);
            return new Written(null, 0);
        }
        var now = DateTimeOffset.UtcNow;
        var changed = new WishlistChanged(write.MovieId, write.User.Id, state, write.State, version + 1, now);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE wishlist_entries SET state = $1, updated_at = $2, version = $3 WHERE user_id = $4 AND movie_id = $5")
            {
                Parameters = { new() { Value = write.State.ToString() }, new() { Value = now }, new() { Value = version + 1 }, new() { Value = write.User.Id }, new() { Value = write.MovieId } },
            });
            batch.BatchCommands.Add(Outbox(changed));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new Written(changed.AggregateId, changed.Version);
    }

    private static async Task<Written> CommentAsync(NpgsqlConnection connection, Write write, CancellationToken cancellationToken)
    {
        if (!await FilmExistsAsync(connection, write.MovieId, cancellationToken))
        {
            return new Written(null, 0, "404 Comment");
        }
        var now = DateTimeOffset.UtcNow;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long id;
        try
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO comments (created_at, is_spoiler, like_count, movie_id, text, updated_at, user_id)
                VALUES ($1, FALSE, 0, $2, $3, $1, $4) RETURNING id
                """, connection, transaction)
            {
                Parameters = { new() { Value = now }, new() { Value = write.MovieId }, new() { Value = "Seen it twice; the second time was better." }, new() { Value = write.User.Id } },
            };
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return new Written(null, 0, "409 Comment");
        }
        var posted = new CommentPosted(id, write.MovieId, write.User.Id, false, now);
        await using (var outbox = new NpgsqlCommand(InsertOutbox, connection, transaction))
        {
            AddOutboxParameters(outbox.Parameters, posted);
            await outbox.ExecuteScalarAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new Written(posted.AggregateId, 1);
    }

    private static async Task<bool> FilmExistsAsync(NpgsqlConnection connection, int movieId, CancellationToken cancellationToken)
    {
        await using var film = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM movies WHERE id = $1 AND removed_at IS NULL)", connection)
        {
            Parameters = { new() { Value = movieId } },
        };
        return (bool)(await film.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The row created empty if need be (BEGIN goes with this first statement), then read and locked.</summary>
    private static async Task<(long Version, T State)> LockAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string columns,
        Write write, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var empty = table == "ratings" ? "score" : "state";
        await using (var upsert = new NpgsqlCommand(
            $"INSERT INTO {table} (user_id, movie_id, {empty}, version, updated_at) VALUES ($1, $2, NULL, 0, now()) ON CONFLICT DO NOTHING", connection, transaction)
        {
            Parameters = { new() { Value = write.User.Id }, new() { Value = write.MovieId } },
        })
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var select = new NpgsqlCommand($"SELECT version, {columns} FROM {table} WHERE user_id = $1 AND movie_id = $2 FOR UPDATE", connection, transaction)
        {
            Parameters = { new() { Value = write.User.Id }, new() { Value = write.MovieId } },
        };
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), read(reader));
    }

    private static NpgsqlBatchCommand Outbox<TEvent>(TEvent integrationEvent) where TEvent : IIntegrationEvent
    {
        var command = new NpgsqlBatchCommand(InsertOutbox);
        AddOutboxParameters(command.Parameters, integrationEvent);
        return command;
    }

    /// <summary>The row <see cref="Matcha.EventBus.Outbox.AddEvent"/> writes, payload serialised the same way.</summary>
    private static void AddOutboxParameters<TEvent>(NpgsqlParameterCollection parameters, TEvent integrationEvent) where TEvent : IIntegrationEvent
    {
        parameters.Add(new() { Value = integrationEvent.AggregateId });
        parameters.Add(new() { Value = integrationEvent.AggregateVersion });
        parameters.Add(new() { Value = Guid.CreateVersion7() });
        parameters.Add(new() { Value = DateTimeOffset.UtcNow });
        parameters.Add(new() { Value = JsonSerializer.Serialize(integrationEvent, EventEnvelope.JsonOptions), NpgsqlDbType = NpgsqlDbType.Jsonb });
        parameters.Add(new() { Value = TEvent.SchemaVersion });
        parameters.Add(new() { Value = TEvent.Topic });
        parameters.Add(new() { Value = TEvent.EventType });
    }
}
