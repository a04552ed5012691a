using Matcha.Catalog.Movies;

namespace Matcha.Catalog.Data;

public sealed partial class CatalogDbContext
{
    /// <summary>
    /// Saves, and when films were added, changed or removed, queues their MovieChanged or
    /// MovieRemoved in the outbox within the same transaction (one of its own unless the
    /// caller has one): no film change commits without its event.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var changes = MovieEvents.Collect(ChangeTracker);
        if (changes.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        var ownTransaction = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);   // new films get their ids
            await MovieEvents.AddAsync(this, changes, cancellationToken);
            saved += await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (ownTransaction is not null)
            {
                await ownTransaction.CommitAsync(cancellationToken);
            }
            return saved;
        }
        finally
        {
            if (ownTransaction is not null)
            {
                await ownTransaction.DisposeAsync();
            }
        }
    }

    /// <summary>Film writes must go through <see cref="SaveChangesAsync(bool, CancellationToken)"/>, which can await the outbox.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        MovieEvents.Collect(ChangeTracker).Count == 0
            ? base.SaveChanges(acceptAllChangesOnSuccess)
            : throw new NotSupportedException("Films are saved with SaveChangesAsync, so that their events reach the outbox.");
}
