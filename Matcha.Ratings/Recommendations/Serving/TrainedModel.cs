using Matcha.Recommendations.Model;

namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>Facts about a trained model that operators and the admin endpoint see.</summary>
public sealed record ModelInfo(
    long Id, DateTimeOffset TrainedAt, string Algorithm, int RatingCount, int UserCount, int FilmCount,
    double TrainingSeconds, double? HoldOutRmse, double? BaselineHoldOutRmse);

/// <summary>The model being served: the film side of a trained <see cref="BayesianModel"/> and the map from film ids to its indices.</summary>
public sealed class TrainedModel(ModelInfo info, BayesianModel model, DenseIndex<int> films)
{
    /// <summary>
    /// Stored with each model (at most 20 characters): <see cref="BayesianFactorization"/>, Bayesian matrix
    /// factorisation with flipped implicit feedback and day shifts. A stored model of another
    /// algorithm (an older release's "SVD++") is never loaded.
    /// </summary>
    public const string Algorithm = "Bayesian MF";

    public ModelInfo Info { get; } = info;

    public BayesianModel Model { get; } = model;

    public DenseIndex<int> Films { get; } = films;

    public byte[] Write()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            writer.Write(Films.Count);
            foreach (var id in Films.Keys)
            {
                writer.Write(id);
            }
            Model.WriteItemSide(writer);
        }
        return buffer.ToArray();
    }

    public static TrainedModel Read(StoredModel stored)
    {
        using var reader = new BinaryReader(new MemoryStream(stored.Data));
        var films = new DenseIndex<int>();
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            films.GetOrAdd(reader.ReadInt32());
        }
        var model = BayesianModel.ReadItemSide(reader);
        return new TrainedModel(Describe(stored), model, films);
    }

    public static ModelInfo Describe(StoredModel stored) => new(
        stored.Id, stored.TrainedAt, stored.Algorithm, stored.RatingCount, stored.UserCount, stored.FilmCount,
        stored.TrainingSeconds, stored.HoldOutRmse, stored.BaselineHoldOutRmse);
}

/// <summary>The model this replica serves, swapped whole when a newer one is trained or loaded.</summary>
public sealed class CurrentModel
{
    private TrainedModel? model;

    public TrainedModel? Model => Volatile.Read(ref model);

    /// <summary>Swaps in <paramref name="newer"/> unless the model already served is at least as new (another replica's may have arrived first).</summary>
    public bool Offer(TrainedModel newer)
    {
        while (true)
        {
            var served = Volatile.Read(ref model);
            if (served is not null && served.Info.Id >= newer.Info.Id)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref model, newer, served) == served)
            {
                return true;
            }
        }
    }
}
