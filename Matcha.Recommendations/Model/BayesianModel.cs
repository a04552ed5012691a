using MathNet.Numerics.LinearAlgebra;

namespace Matcha.Recommendations.Model;

/// <summary>What one Gibbs sample says about a user it has not seen: the priors of their bias, factors and day shifts, and the noise precision.</summary>
public sealed record UserPrior(
    float BiasMean, float BiasPrecision, float[] FactorMeans, float[] FactorPrecisions,
    float DayBiasMean, float DayBiasPrecision, float NoisePrecision);

/// <summary>One kept Gibbs sample of <see cref="BayesianFactorization"/>, as the sampler hands it over.</summary>
/// <param name="ItemTerm">b_i + |M(i)|^-½ Σ γ_v per film (0 for a film without training ratings)</param>
/// <param name="ItemVector">q_i + |M(i)|^-½ Σ t_v per film, k each</param>
/// <param name="UserTerm">b_u of the training users</param>
/// <param name="UserVector">p_u of the training users, k each</param>
/// <param name="DayGroups">the (user, day) pairs of the training ratings; empty without days</param>
/// <param name="DayBias">b_{u,day} of each pair</param>
internal sealed record PosteriorSample(
    float Mean, float[] ItemTerm, float[] ItemVector, UserPrior Prior,
    float[] UserTerm, float[] UserVector, (int User, int Day)[] DayGroups, float[] DayBias);

/// <summary>
/// A trained <see cref="BayesianFactorization"/>: the average of S kept samples. Each sample
/// predicts w₀ + b_u (+ b_{u,day}) + I_i + p_u·b_i, so their average is itself such a model with
/// the vectors of all samples side by side: μ = mean w₀, b_i = mean I_i, q_i = (b_i¹ … b_iˢ),
/// p_u = (p_u¹ … p_uˢ)/S. That is how it is held, so a prediction is one dot product of length S·k.
/// </summary>
public sealed class BayesianModel : IRatingModel
{
    private const int StorageFormat = 1;

    private readonly int k;
    private readonly int samples;
    private readonly float[] sampleMeans;        // S
    private readonly float[] sampleItemTerms;    // I × S
    private readonly float[] itemTerms;          // I, averaged over samples
    private readonly float[] itemVectors;        // I × S·k
    private readonly UserPrior[] priors;         // S
    private readonly float[] userTerms;          // U, averaged (training users; empty once stored)
    private readonly float[] userVectors;        // U × S·k, divided by S
    private readonly Dictionary<(int User, int Day), float> dayBiases;   // training users, averaged
    private readonly float dayBiasMean;          // the shift of a day not rated on: the prior's mean, averaged

    internal BayesianModel(BayesianOptions options, IReadOnlyList<PosteriorSample> kept)
        : this(
            options, kept[0].ItemTerm.Length,
            [.. kept.Select(s => s.Mean)],
            Interleave(kept, s => s.ItemTerm, 1),
            Interleave(kept, s => s.ItemVector, options.Factors),
            [.. kept.Select(s => s.Prior)],
            Average(kept, s => s.UserTerm),
            Scaled(Interleave(kept, s => s.UserVector, options.Factors), 1f / kept.Count))
    {
        var averaged = Average(kept, s => s.DayBias);
        foreach (var (group, g) in kept[0].DayGroups.Select((group, g) => (group, g)))
        {
            dayBiases[group] = averaged[g];
        }
    }

    private BayesianModel(
        BayesianOptions options, int itemCount, float[] sampleMeans, float[] sampleItemTerms, float[] itemVectors,
        UserPrior[] priors, float[] userTerms, float[] userVectors)
    {
        Options = options;
        k = options.Factors;
        samples = sampleMeans.Length;
        ItemCount = itemCount;
        this.sampleMeans = sampleMeans;
        this.sampleItemTerms = sampleItemTerms;
        this.itemVectors = itemVectors;
        this.priors = priors;
        this.userTerms = userTerms;
        this.userVectors = userVectors;
        dayBiases = [];
        dayBiasMean = priors.Average(p => p.DayBiasMean);
        Mean = sampleMeans.Average();
        itemTerms = new float[itemCount];
        for (var i = 0; i < itemCount; i++)
        {
            itemTerms[i] = sampleItemTerms.AsSpan(i * samples, samples).ToArray().Average();
        }
    }

    public BayesianOptions Options { get; }

    public float Mean { get; }

    public int ItemCount { get; }

    /// <summary>Samples kept (S).</summary>
    public int Samples => samples;

    private int Width => samples * k;

    /// <summary>A training user's prediction, averaged over the samples.</summary>
    public float Predict(int user, int item) =>
        user >= 0 && user < userTerms.Length
            ? Predict(userTerms[user], userVectors.AsSpan(user * Width, Width), item)
            : Predict(0f, [], item);

    /// <summary>A training user's prediction for a rating given on <paramref name="day"/>, with their shift that day if they rated then (what cross-validation measures).</summary>
    public float Predict(int user, int item, int day) =>
        user >= 0 && user < userTerms.Length
            ? Predict(userTerms[user] + dayBiases.GetValueOrDefault((user, day), dayBiasMean), userVectors.AsSpan(user * Width, Width), item)
            : Predict(0f, [], item);

    public float Predict(FoldedUser user, int item) => Predict(user.Bias, user.Factors, item);

    /// <summary>μ + b_i averaged over samples: the film's standing with everyone, what a user with no ratings is shown.</summary>
    public float ItemBaseline(int item) =>
        item >= 0 && item < ItemCount ? RatingScale.Clip(Mean + itemTerms[item]) : RatingScale.Clip(Mean);

    /// <summary>Fold-in from ratings without days: no day shifts.</summary>
    public FoldedUser FoldInUser(IEnumerable<(int Item, float Score)> ratings) =>
        FoldInUser(ratings.Select(r => (r.Item, r.Score, Day: (int?)null)), today: null);

    /// <summary>The user as served on <paramref name="today"/>: <see cref="FitUser"/>, with today's shift.</summary>
    public FoldedUser FoldInUser(IEnumerable<(int Item, float Score, int? Day)> ratings, int? today) =>
        FitUser(ratings).On(today);

    /// <summary>
    /// What serving predicts for a user: with no rating of any film the model knows (no fit), the
    /// film's standing with everyone; otherwise the folded-in user's prediction.
    /// </summary>
    public float PredictServed(FoldedUser? user, int item) => user is null ? ItemBaseline(item) : Predict(user, item);

    /// <summary>
    /// Fits a user from their ratings against every sample's fixed film side: in each sample the
    /// exact posterior mean of their bias, factors and day shifts given that sample's priors and
    /// noise. The day shifts are integrated out first (ratings of one day share one shift, so they
    /// are correlated: each day adds a rank-one correction to the normal equations), which leaves
    /// one (k+1)-dimensional Cholesky solve for the bias and factors; each day's shift is then its
    /// posterior mean given them. With one rating, the bias, that day's shift and the factors share
    /// the rating's surprise as their priors say, so one 5.0 moves predictions part of the way, not
    /// to 5.0. Ratings without days (any one missing) fit no shifts. A rating of a film the model
    /// does not know (index −1: newer than the model) is evidence of the user's generosity only: a
    /// film with no term and no vector.
    /// </summary>
    public UserFit FitUser(IEnumerable<(int Item, float Score, int? Day)> ratings)
    {
        var known = ratings.ToArray();
        var factors = new float[Width];
        if (known.Length == 0)
        {
            return new UserFit(0f, factors, new Dictionary<int, float>(), dayBiasMean, 0);
        }
        var withDays = known.All(r => r.Day.HasValue);
        var days = new Dictionary<int, int>();
        int[] dayOf = withDays ? [.. known.Select(r => days.TryAdd(r.Day!.Value, days.Count) ? days.Count - 1 : days[r.Day!.Value])] : [];
        var dayCount = days.Count;
        var shifts = new double[dayCount];
        var (bias, unratedDay) = (0.0, 0.0);
        var rows = new double[known.Length, k + 1];
        var targets = new double[known.Length];
        var daySums = new double[dayCount, k + 1];
        var dayTargets = new double[dayCount];
        var dayCounts = new int[dayCount];
        for (var n = 0; n < known.Length; n++)
        {
            if (withDays)
            {
                dayCounts[dayOf[n]]++;
            }
        }
        for (var s = 0; s < samples; s++)
        {
            var prior = priors[s];
            var (alpha, m) = ((double)prior.NoisePrecision, withDays ? (double)prior.DayBiasMean : 0);
            // Unknowns z = (b_u, p_u); each rating is a row h = (1, b_i) with target r − w₀ − I_i − the day prior's mean.
            Array.Clear(daySums);
            Array.Clear(dayTargets);
            for (var n = 0; n < known.Length; n++)
            {
                var (item, score, _) = known[n];
                var inModel = item >= 0 && item < ItemCount;
                var bi = inModel ? ItemVector(item, s) : default;
                rows[n, 0] = 1;
                for (var f = 0; f < k; f++)
                {
                    rows[n, f + 1] = inModel ? bi[f] : 0;
                }
                targets[n] = score - sampleMeans[s] - (inModel ? sampleItemTerms[item * samples + s] : 0) - m;
                if (withDays)
                {
                    for (var c = 0; c <= k; c++)
                    {
                        daySums[dayOf[n], c] += rows[n, c];
                    }
                    dayTargets[dayOf[n]] += targets[n];
                }
            }
            var normal = Matrix<double>.Build.Dense(k + 1, k + 1);
            var right = Vector<double>.Build.Dense(k + 1);
            for (var n = 0; n < known.Length; n++)
            {
                for (var r = 0; r <= k; r++)
                {
                    right[r] += alpha * rows[n, r] * targets[n];
                    for (var c = 0; c <= r; c++)
                    {
                        normal[r, c] += alpha * rows[n, r] * rows[n, c];
                    }
                }
            }
            // A day's ratings have covariance I/α + 11ᵀ/λ_d: its inverse is α(I − c·11ᵀ), c = α/(λ_d + α·n_d).
            for (var d = 0; d < dayCount; d++)
            {
                var c = alpha * alpha / (prior.DayBiasPrecision + alpha * dayCounts[d]);
                for (var r = 0; r <= k; r++)
                {
                    right[r] -= c * daySums[d, r] * dayTargets[d];
                    for (var col = 0; col <= r; col++)
                    {
                        normal[r, col] -= c * daySums[d, r] * daySums[d, col];
                    }
                }
            }
            normal[0, 0] += prior.BiasPrecision;
            right[0] += prior.BiasPrecision * prior.BiasMean;
            for (var f = 0; f < k; f++)
            {
                normal[f + 1, f + 1] += prior.FactorPrecisions[f];
                right[f + 1] += prior.FactorPrecisions[f] * prior.FactorMeans[f];
            }
            for (var r = 0; r <= k; r++)
            {
                for (var c = r + 1; c <= k; c++)
                {
                    normal[r, c] = normal[c, r];
                }
            }
            var z = normal.Cholesky().Solve(right);
            // Each day's shift given z: its residuals' mean, shrunk towards the prior's mean.
            for (var d = 0; d < dayCount; d++)
            {
                var fitted = 0.0;
                for (var c = 0; c <= k; c++)
                {
                    fitted += daySums[d, c] * z[c];
                }
                shifts[d] += (m + alpha * (dayTargets[d] - fitted) / (prior.DayBiasPrecision + alpha * dayCounts[d])) / samples;
            }
            bias += z[0] / samples;
            unratedDay += m / samples;
            for (var f = 0; f < k; f++)
            {
                factors[s * k + f] = (float)(z[f + 1] / samples);
            }
        }
        var dayShifts = days.ToDictionary(d => d.Key, d => (float)shifts[d.Value]);
        return new UserFit((float)bias, factors, dayShifts, (float)unratedDay, known.Length);
    }

    private ReadOnlySpan<float> ItemVector(int item, int sample) => itemVectors.AsSpan(item * Width + sample * k, k);

    private float Predict(float userTerm, ReadOnlySpan<float> userVector, int item)
    {
        if (item < 0 || item >= ItemCount)
        {
            return RatingScale.Clip(Mean + userTerm);
        }
        var dot = userVector.IsEmpty ? 0f : Sgd.Dot(userVector, itemVectors.AsSpan(item * Width, Width));
        return RatingScale.Clip(Mean + userTerm + itemTerms[item] + dot);
    }

    /// <summary>
    /// Writes what serving needs: the settings, and per sample w₀, the user priors and every film's
    /// term and vector. Training users are left out: a user is always re-fitted from their current ratings.
    /// </summary>
    public void WriteItemSide(BinaryWriter writer)
    {
        writer.Write(StorageFormat);
        writer.Write(Options.Factors);
        writer.Write(Options.Iterations);
        writer.Write(Options.BurnIn);
        writer.Write(Options.KeptSamples);
        writer.Write(Options.InitStdDev);
        writer.Write(Options.Seed);
        writer.Write(samples);
        writer.Write(ItemCount);
        Floats.Write(writer, sampleMeans);
        foreach (var prior in priors)
        {
            writer.Write(prior.BiasMean);
            writer.Write(prior.BiasPrecision);
            Floats.Write(writer, prior.FactorMeans);
            Floats.Write(writer, prior.FactorPrecisions);
            writer.Write(prior.DayBiasMean);
            writer.Write(prior.DayBiasPrecision);
            writer.Write(prior.NoisePrecision);
        }
        Floats.Write(writer, sampleItemTerms);
        Floats.Write(writer, itemVectors);
    }

    public static BayesianModel ReadItemSide(BinaryReader reader)
    {
        var format = reader.ReadInt32();
        if (format != StorageFormat)
        {
            throw new InvalidDataException($"Stored model format {format} is not {StorageFormat}.");
        }
        var options = new BayesianOptions
        {
            Factors = reader.ReadInt32(),
            Iterations = reader.ReadInt32(),
            BurnIn = reader.ReadInt32(),
            KeptSamples = reader.ReadInt32(),
            InitStdDev = reader.ReadSingle(),
            Seed = reader.ReadInt32(),
        };
        var (k, samples, items) = (options.Factors, reader.ReadInt32(), reader.ReadInt32());
        var means = Floats.Read(reader, samples);
        var priors = new UserPrior[samples];
        for (var s = 0; s < samples; s++)
        {
            priors[s] = new UserPrior(
                reader.ReadSingle(), reader.ReadSingle(), Floats.Read(reader, k), Floats.Read(reader, k),
                reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle());
        }
        return new BayesianModel(
            options, items, means,
            sampleItemTerms: Floats.Read(reader, items * samples),
            itemVectors: Floats.Read(reader, items * samples * k),
            priors, userTerms: [], userVectors: []);
    }

    /// <summary>Per-sample arrays of rows of <paramref name="width"/>, laid out row by row with the samples side by side.</summary>
    private static float[] Interleave(IReadOnlyList<PosteriorSample> kept, Func<PosteriorSample, float[]> select, int width)
    {
        var count = select(kept[0]).Length / width;
        var result = new float[count * kept.Count * width];
        for (var s = 0; s < kept.Count; s++)
        {
            var values = select(kept[s]);
            for (var row = 0; row < count; row++)
            {
                values.AsSpan(row * width, width).CopyTo(result.AsSpan((row * kept.Count + s) * width, width));
            }
        }
        return result;
    }

    private static float[] Average(IReadOnlyList<PosteriorSample> kept, Func<PosteriorSample, float[]> select)
    {
        var result = new float[select(kept[0]).Length];
        foreach (var sample in kept)
        {
            var values = select(sample);
            for (var x = 0; x < result.Length; x++)
            {
                result[x] += values[x] / kept.Count;
            }
        }
        return result;
    }

    private static float[] Scaled(float[] values, float by)
    {
        for (var x = 0; x < values.Length; x++)
        {
            values[x] *= by;
        }
        return values;
    }
}
