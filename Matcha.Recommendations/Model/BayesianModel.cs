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

    // Fold-in alternates the bias-and-factors solve with the day shifts; three rounds settle both.
    private const int FoldInRounds = 3;

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

    /// <summary>
    /// Fits a user from their ratings against every sample's fixed film side: in each sample the
    /// posterior mean of their bias and factors given that sample's priors and noise, one
    /// (k+1)-dimensional Cholesky solve. When every rating carries its day, the user's shift on each
    /// of those days is fitted too (alternating with the solve), and the result includes the shift
    /// of <paramref name="today"/>: the prior's mean when they have not rated today.
    /// </summary>
    public FoldedUser FoldInUser(IEnumerable<(int Item, float Score, int? Day)> ratings, int? today)
    {
        var known = ratings.Where(r => r.Item >= 0 && r.Item < ItemCount).ToArray();
        var factors = new float[Width];
        if (known.Length == 0)
        {
            return new FoldedUser(0f, factors);
        }
        // Each rating's day as an index 0, 1, …; all 0 (one shift, fixed at 0) without days.
        var withDays = known.All(r => r.Day.HasValue);
        var days = new Dictionary<int, int>();
        int[] dayOf = withDays ? [.. known.Select(r => days.TryAdd(r.Day!.Value, days.Count) ? days.Count - 1 : days[r.Day!.Value])] : new int[known.Length];
        var todayIndex = today is { } day && days.TryGetValue(day, out var index) ? index : -1;
        var shifts = new double[Math.Max(1, days.Count)];
        var bias = 0.0;
        for (var s = 0; s < samples; s++)
        {
            var prior = priors[s];
            // Unknowns z = (b_u, p_u); each rating is a row h = (1, b_i) with target r − w₀ − I_i − the day's shift.
            var normal = Matrix<double>.Build.Dense(k + 1, k + 1);
            var targets = new double[known.Length];
            for (var n = 0; n < known.Length; n++)
            {
                var (item, score, _) = known[n];
                var bi = ItemVector(item, s);
                targets[n] = score - sampleMeans[s] - sampleItemTerms[item * samples + s];
                normal[0, 0] += prior.NoisePrecision;
                for (var r = 0; r < k; r++)
                {
                    normal[r + 1, 0] += prior.NoisePrecision * bi[r];
                    for (var c = 0; c <= r; c++)
                    {
                        normal[r + 1, c + 1] += prior.NoisePrecision * bi[r] * bi[c];
                    }
                }
            }
            normal[0, 0] += prior.BiasPrecision;
            for (var f = 0; f < k; f++)
            {
                normal[f + 1, f + 1] += prior.FactorPrecisions[f];
            }
            for (var r = 0; r <= k; r++)
            {
                for (var c = r + 1; c <= k; c++)
                {
                    normal[r, c] = normal[c, r];
                }
            }
            var cholesky = normal.Cholesky();

            Array.Fill(shifts, withDays ? prior.DayBiasMean : 0);
            var z = Vector<double>.Build.Dense(k + 1);
            for (var round = 0; round < (withDays ? FoldInRounds : 1); round++)
            {
                var right = Vector<double>.Build.Dense(k + 1);
                right[0] = prior.BiasPrecision * prior.BiasMean;
                for (var f = 0; f < k; f++)
                {
                    right[f + 1] = prior.FactorPrecisions[f] * prior.FactorMeans[f];
                }
                for (var n = 0; n < known.Length; n++)
                {
                    var weighted = prior.NoisePrecision * (targets[n] - shifts[dayOf[n]]);
                    var bi = ItemVector(known[n].Item, s);
                    right[0] += weighted;
                    for (var f = 0; f < k; f++)
                    {
                        right[f + 1] += weighted * bi[f];
                    }
                }
                z = cholesky.Solve(right);
                if (withDays)
                {
                    FitDayShifts(z, s, prior, targets, known, dayOf, shifts);
                }
            }
            bias += z[0] + (todayIndex >= 0 ? shifts[todayIndex] : withDays ? prior.DayBiasMean : 0);
            for (var f = 0; f < k; f++)
            {
                factors[s * k + f] = (float)(z[f + 1] / samples);
            }
        }
        return new FoldedUser((float)(bias / samples), factors);
    }

    /// <summary>Each day's shift: the posterior mean of b_{u,day} given the rest of the fit.</summary>
    private void FitDayShifts(
        Vector<double> z, int s, UserPrior prior, double[] targets, (int Item, float Score, int? Day)[] known, int[] dayOf, double[] shifts)
    {
        var sums = new double[shifts.Length];
        var counts = new int[shifts.Length];
        for (var n = 0; n < known.Length; n++)
        {
            var bi = ItemVector(known[n].Item, s);
            var fitted = z[0];
            for (var f = 0; f < k; f++)
            {
                fitted += z[f + 1] * bi[f];
            }
            sums[dayOf[n]] += targets[n] - fitted;
            counts[dayOf[n]]++;
        }
        for (var d = 0; d < shifts.Length; d++)
        {
            shifts[d] = (prior.NoisePrecision * sums[d] + prior.DayBiasPrecision * prior.DayBiasMean)
                        / (prior.NoisePrecision * counts[d] + prior.DayBiasPrecision);
        }
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
