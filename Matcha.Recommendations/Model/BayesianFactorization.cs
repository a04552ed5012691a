using MathNet.Numerics.Distributions;

namespace Matcha.Recommendations.Model;

/// <summary>
/// Bayesian matrix factorisation with "flipped" implicit feedback and day shifts, learned by Gibbs
/// sampling (Freudenthaler, Schmidt-Thieme and Rendle, "Bayesian Factorization Machines", 2011;
/// Rendle, Zhang and Koren, "On the Difficulty of Evaluating Baselines", 2019; Koren,
/// "Collaborative Filtering with Temporal Dynamics", 2009):
/// <code>
/// r̂(u, i, day) = w₀ + b_u + b_{u,day} + b_i + |M(i)|^-½ Σ_{v∈M(i)} γ_v + |G(i)|^-½ Σ_{g∈G(i)} β_g
///               + p_u · (q_i + |M(i)|^-½ Σ_{v∈M(i)} t_v + |G(i)|^-½ Σ_{g∈G(i)} s_g)
/// </code>
/// G(i) is film i's genres (<see cref="FilmFeatures"/>, when given): a film with few ratings starts
/// from what its genres say.
/// M(i) is the set of users who rated film i: who chose to watch a film says something about it,
/// which matters most for the many films with a handful of ratings (SVD++'s implicit feedback
/// turned round). b_{u,day} is the user's shift on the day of the rating: people rate more
/// generously on some days than on others. Every parameter group has a normal prior whose mean
/// and precision have Normal-Gamma hyper-priors, and the noise precision a Gamma prior; the sampler
/// draws all of them in turn, so there is no learning rate or regularisation to tune. Predictions
/// average <see cref="BayesianOptions.KeptSamples"/> samples taken after burn-in, which is what
/// makes the model more accurate than the same model fitted once by SGD.
/// </summary>
/// <remarks>
/// Each sweep costs O(ratings × factors): a parameter's conditional posterior is normal with
/// precision α·Σh² + λ and mean (α·Σh·(e + θh) + λμ)/precision, where h is the derivative of
/// r̂ by the parameter on each rating it touches and e the residual. For the implicit factors t_v
/// (touching every rating of every film v rated) the sums are kept per film and the residuals
/// brought up to date once per factor, the relational-block trick of Rendle's "Scaling
/// Factorization Machines to Relational Data" (2013). Factors are stored factor-major, so each
/// factor's pass reads one contiguous array. SVD++'s own implicit term (films a user rated, on
/// the user's side) was measured too and made ml-latest-small worse (docs/recommendations.md).
/// </remarks>
public static class BayesianFactorization
{
    public static BayesianModel Fit(RatingSet ratings, BayesianOptions options, CancellationToken cancellationToken = default) =>
        Fit(ratings, options, features: null, cancellationToken);

    /// <summary>
    /// With <paramref name="features"/> (a film's genres), each film's term and vector also carry
    /// |G(i)|^-½ Σ_{g∈G(i)} of a weight and a vector per feature: a film with few ratings starts from
    /// what its genres say. Only the film side changes, so fold-in and serving are the same.
    /// </summary>
    public static BayesianModel Fit(RatingSet ratings, BayesianOptions options, FilmFeatures? features, CancellationToken cancellationToken = default) =>
        new Sampler(ratings, options, features).Run(cancellationToken);

    private sealed class Hyper
    {
        public double Mean { get; set; }

        public double Precision { get; set; } = 1;
    }

    /// <summary>Ratings in groups (one user's, one film's, one user's on one day) with one parameter per group.</summary>
    private sealed record Groups(int[] Start, int[] Rows)
    {
        public int Count => Start.Length - 1;

        public int Size(int group) => Start[group + 1] - Start[group];
    }

    private sealed class Sampler
    {
        // Hyper-prior constants, libFM's: μ ~ N(0, 1/(γ₀λ)), λ ~ Gamma(1, 1), α ~ Gamma(1, 1).
        private const double HyperShape = 1, HyperRate = 1, HyperMeanWeight = 1;

        private readonly BayesianOptions options;
        private readonly int k, userCount, itemCount, rowCount;
        private readonly Random random;

        // Ratings are rows n grouped by user; the same rows grouped by film and by (user, day).
        private readonly int[] rowItem, rowUser, rowDayGroup;
        private readonly float[] score;
        private readonly Groups byUser, byItem, byUserDay;
        private readonly (int User, int Day)[] userDays;
        private readonly double[] itemScale;   // |M(i)|^-½, 0 for a film without ratings

        // Film features (genres): the films of each feature, and |G(i)|^-½ per film (0 without features).
        private readonly Groups byFeature;
        private readonly int[] featureFilms;
        private readonly double[] featureScale;
        private readonly int featureCount;

        private double w0, alpha = 1;
        private readonly double[] userBias, itemBias, dayBias, implicitWeight, featureWeight;
        private readonly double[] p, q, t, s;  // factor-major: factor f of row r at f·count + r
        private readonly Hyper userBiasPrior = new(), itemBiasPrior = new(), dayBiasPrior = new(), implicitWeightPrior = new(), featureWeightPrior = new();
        private readonly Hyper[] pPrior, qPrior, tPrior, sPrior;

        // Derived: the film term |M(i)|^-½ Σ γ_v, the film vector q_i + |M(i)|^-½ Σ t_v, every rating's residual.
        private readonly double[] itemLinear, b, residual;

        // Each film's features: filmFeatures[filmFeatureStart[i]..filmFeatureStart[i + 1]].
        private int[] filmFeatureStart = [], filmFeatures = [];

        // Scratch, one slot per film.
        private readonly double[] itemSum, itemSquares, itemShift;

        public Sampler(RatingSet ratings, BayesianOptions options, FilmFeatures? features)
        {
            this.options = options;
            k = options.Factors;
            userCount = ratings.UserCount;
            itemCount = ratings.ItemCount;
            rowCount = ratings.Count;
            random = new Random(options.Seed);

            rowItem = ratings.ItemsByUser;
            score = ratings.ScoresByUser;
            rowUser = new int[rowCount];
            for (var u = 0; u < userCount; u++)
            {
                Array.Fill(rowUser, u, ratings.UserStart[u], ratings.RatingCountOfUser(u));
            }
            byUser = new Groups(ratings.UserStart, [.. Enumerable.Range(0, rowCount)]);
            byItem = Group(itemCount, rowItem);
            (rowDayGroup, userDays) = DayGroups(options.DayShifts ? ratings.DaysByUser : null, rowUser);
            byUserDay = Group(userDays.Length, rowDayGroup);
            itemScale = new double[itemCount];
            for (var i = 0; i < itemCount; i++)
            {
                itemScale[i] = byItem.Size(i) == 0 ? 0 : 1 / Math.Sqrt(byItem.Size(i));
            }

            (byFeature, featureFilms, featureScale) = FeatureGroups(features, itemCount);
            featureCount = byFeature.Count;

            w0 = ratings.Mean;
            userBias = new double[userCount];
            itemBias = new double[itemCount];
            dayBias = new double[userDays.Length];
            implicitWeight = new double[userCount];
            featureWeight = new double[featureCount];
            p = RandomNormal(userCount * k);
            q = RandomNormal(itemCount * k);
            t = RandomNormal(userCount * k);
            s = RandomNormal(featureCount * k);
            pPrior = Priors();
            qPrior = Priors();
            tPrior = Priors();
            sPrior = Priors();

            itemLinear = new double[itemCount];
            b = new double[itemCount * k];
            residual = new double[rowCount];
            itemSum = new double[itemCount];
            itemSquares = new double[itemCount];
            itemShift = new double[itemCount];
        }

        public BayesianModel Run(CancellationToken cancellationToken)
        {
            var kept = new List<PosteriorSample>();
            var every = Math.Max(1, (options.Iterations - options.BurnIn) / Math.Max(1, options.KeptSamples));
            for (var iteration = 1; iteration <= options.Iterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Sweep();
                // Counted back from the last sweep, so the newest sample is always kept.
                if (iteration > options.BurnIn && (options.Iterations - iteration) % every == 0 && kept.Count < options.KeptSamples)
                {
                    kept.Add(Snapshot());
                }
            }
            if (kept.Count == 0)
            {
                kept.Add(Snapshot());
            }
            return new BayesianModel(options, kept);
        }

        private void Sweep()
        {
            // Recomputed from the parameters every sweep, so rounding in the incremental updates never accumulates.
            Recompute();
            SampleGlobalMean();
            SampleBiases(byUser, userBias, userBiasPrior);
            SampleBiases(byItem, itemBias, itemBiasPrior);
            SampleBiases(byUserDay, dayBias, dayBiasPrior);
            SampleImplicitWeights();
            SampleFeatureWeights();
            for (var f = 0; f < k; f++)
            {
                SampleUserFactors(f);
                SampleItemFactors(f);
                SampleImplicitFactors(f);
                SampleFeatureFactors(f);
            }
            SampleHyperParameters();
            SampleNoise();
        }

        private void Recompute()
        {
            for (var i = 0; i < itemCount; i++)
            {
                var linear = 0.0;
                for (var m = byItem.Start[i]; m < byItem.Start[i + 1]; m++)
                {
                    linear += implicitWeight[rowUser[byItem.Rows[m]]];
                }
                itemLinear[i] = linear * itemScale[i] + featureScale[i] * FeatureSum(featureWeight, 0, i);
            }
            for (var f = 0; f < k; f++)
            {
                var (bf, qf, tf) = (f * itemCount, f * itemCount, f * userCount);
                for (var i = 0; i < itemCount; i++)
                {
                    var sum = 0.0;
                    for (var m = byItem.Start[i]; m < byItem.Start[i + 1]; m++)
                    {
                        sum += t[tf + rowUser[byItem.Rows[m]]];
                    }
                    b[bf + i] = q[qf + i] + itemScale[i] * sum + featureScale[i] * FeatureSum(s, f * featureCount, i);
                }
            }
            for (var n = 0; n < rowCount; n++)
            {
                var (u, i) = (rowUser[n], rowItem[n]);
                var prediction = w0 + userBias[u] + itemBias[i] + itemLinear[i] + (userDays.Length == 0 ? 0 : dayBias[rowDayGroup[n]]);
                for (var f = 0; f < k; f++)
                {
                    prediction += p[f * userCount + u] * b[f * itemCount + i];
                }
                residual[n] = score[n] - prediction;
            }
        }

        /// <summary>Σ_{g∈G(i)} of a per-feature value (at <paramref name="at"/> + g).</summary>
        private double FeatureSum(double[] values, int at, int item)
        {
            var sum = 0.0;
            for (var m = filmFeatureStart[item]; m < filmFeatureStart[item + 1]; m++)
            {
                sum += values[at + filmFeatures[m]];
            }
            return sum;
        }

        /// <summary>Draws θ from its conditional posterior given Σh² and Σh·e over the ratings it touches.</summary>
        private double Draw(double sumHH, double sumHE, double current, double priorMean, double priorPrecision)
        {
            var precision = alpha * sumHH + priorPrecision;
            var mean = (alpha * (sumHE + current * sumHH) + priorPrecision * priorMean) / precision;
            return mean + Normal.Sample(random, 0, 1) / Math.Sqrt(precision);
        }

        private void SampleGlobalMean()
        {
            var sum = 0.0;
            foreach (var e in residual)
            {
                sum += e;
            }
            var next = Draw(rowCount, sum, w0, 0, 0);
            var delta = next - w0;
            w0 = next;
            for (var n = 0; n < rowCount; n++)
            {
                residual[n] -= delta;
            }
        }

        /// <summary>A bias per group: h = 1 on each of the group's ratings.</summary>
        private void SampleBiases(Groups groups, double[] biases, Hyper prior) =>
            SampleFactors(groups, partnerOfRow: [], partner: null, 0, biases, 0, prior, alsoMoves: null);

        /// <summary>p_uf: h = b_if on each of u's ratings.</summary>
        private void SampleUserFactors(int f) =>
            SampleFactors(byUser, rowItem, b, f * itemCount, p, f * userCount, pPrior[f], alsoMoves: null);

        /// <summary>q_if: h = p_uf on each rating of film i; b_if = q_if + its implicit part moves with it.</summary>
        private void SampleItemFactors(int f) =>
            SampleFactors(byItem, rowUser, p, f * userCount, q, f * itemCount, qPrior[f], alsoMoves: b);

        /// <summary>
        /// Draws one parameter per group (at <paramref name="valuesAt"/> + g): on each of the group's
        /// ratings h is the same factor of the other side's vector, <paramref name="partner"/> at
        /// <paramref name="partnerAt"/> + <paramref name="partnerOfRow"/>[n], or 1 for a bias (no partner).
        /// </summary>
        private void SampleFactors(
            Groups groups, int[] partnerOfRow, double[]? partner, int partnerAt, double[] values, int valuesAt, Hyper prior, double[]? alsoMoves)
        {
            // Locals, not fields, in the hot loops: the JIT keeps them in registers.
            var (start, rows, e) = (groups.Start, groups.Rows, residual);
            for (var g = 0; g < groups.Count; g++)
            {
                var (from, to) = (start[g], start[g + 1]);
                if (from == to)
                {
                    continue;
                }
                double sumHH = 0, sumHE = 0;
                for (var m = from; m < to; m++)
                {
                    var n = rows[m];
                    var h = partner is null ? 1 : partner[partnerAt + partnerOfRow[n]];
                    sumHH += h * h;
                    sumHE += h * e[n];
                }
                var next = Draw(sumHH, sumHE, values[valuesAt + g], prior.Mean, prior.Precision);
                var delta = next - values[valuesAt + g];
                values[valuesAt + g] = next;
                alsoMoves?[valuesAt + g] += delta;
                for (var m = from; m < to; m++)
                {
                    var n = rows[m];
                    e[n] -= delta * (partner is null ? 1 : partner[partnerAt + partnerOfRow[n]]);
                }
            }
        }

        /// <summary>γ_v: h = |M(i)|^-½ on every rating of every film i that v rated.</summary>
        private void SampleImplicitWeights() =>
            SampleThroughFilms(byUser.Start, rowItem, itemScale, implicitWeight, 0, implicitWeightPrior, weights: null, 0, itemLinear, 0);

        /// <summary>A feature's weight: h = |G(i)|^-½ on every rating of every film i that has it.</summary>
        private void SampleFeatureWeights()
        {
            if (featureCount > 0)
            {
                SampleThroughFilms(byFeature.Start, featureFilms, featureScale, featureWeight, 0, featureWeightPrior, weights: null, 0, itemLinear, 0);
            }
        }

        /// <summary>s_gf: h = |G(i)|^-½ · p_uf on every rating of every film i that has feature g.</summary>
        private void SampleFeatureFactors(int f)
        {
            if (featureCount > 0)
            {
                SampleThroughFilms(byFeature.Start, featureFilms, featureScale, s, f * featureCount, sPrior[f], weights: p, f * userCount, b, f * itemCount);
            }
        }

        /// <summary>t_vf: h = |M(i)|^-½ · p_uf on every rating of every film i that v rated.</summary>
        private void SampleImplicitFactors(int f) =>
            SampleThroughFilms(byUser.Start, rowItem, itemScale, t, f * userCount, tPrior[f], weights: p, f * userCount, b, f * itemCount);

        /// <summary>
        /// Draws each member's parameter θ_v (at <paramref name="valuesAt"/> + v) that reaches ratings
        /// through films: a member is a user (the films they rated, scaled by |M(i)|^-½) or a feature
        /// (the films that have it, scaled by |G(i)|^-½); <paramref name="memberFilms"/>[memberStart[v]..memberStart[v + 1]]
        /// are v's films. h = scale_i · w_u on every rating (u, i) of every film i of v, where w_u is <paramref name="weights"/>[<paramref name="weightsAt"/> + u], or 1 without weights.
        /// Per film, Σ w² and Σ e·w over its ratings are kept; w does not change here, so a draw moves
        /// only the second, and the residuals and the film-side sums (<paramref name="filmSide"/> at
        /// <paramref name="filmSideAt"/> + i) are brought up to date once at the end.
        /// </summary>
        private void SampleThroughFilms(
            int[] memberStart, int[] memberFilms, double[] scale, double[] values, int valuesAt, Hyper prior,
            double[]? weights, int weightsAt, double[] filmSide, int filmSideAt)
        {
            // Locals, not fields, in the hot loops: the JIT keeps them in registers.
            var (itemStart, itemRows, e, users, items) = (byItem.Start, byItem.Rows, residual, rowUser, memberFilms);
            var memberCount = memberStart.Length - 1;
            for (var i = 0; i < itemCount; i++)
            {
                double squares = 0, sum = 0;
                for (var m = itemStart[i]; m < itemStart[i + 1]; m++)
                {
                    var n = itemRows[m];
                    var w = weights is null ? 1 : weights[weightsAt + users[n]];
                    squares += w * w;
                    sum += w * e[n];
                }
                itemSquares[i] = squares;
                itemSum[i] = sum;
            }
            Array.Clear(itemShift);
            for (var v = 0; v < memberCount; v++)
            {
                var (from, to) = (memberStart[v], memberStart[v + 1]);
                if (from == to)
                {
                    continue;
                }
                double sumHH = 0, sumHE = 0;
                for (var n = from; n < to; n++)
                {
                    var i = items[n];
                    sumHH += scale[i] * scale[i] * itemSquares[i];
                    sumHE += scale[i] * itemSum[i];
                }
                var next = Draw(sumHH, sumHE, values[valuesAt + v], prior.Mean, prior.Precision);
                var delta = next - values[valuesAt + v];
                values[valuesAt + v] = next;
                for (var n = from; n < to; n++)
                {
                    var i = items[n];
                    itemSum[i] -= scale[i] * delta * itemSquares[i];
                    itemShift[i] += scale[i] * delta;
                }
            }
            for (var i = 0; i < itemCount; i++)
            {
                var shift = itemShift[i];
                filmSide[filmSideAt + i] += shift;
                for (var m = itemStart[i]; m < itemStart[i + 1]; m++)
                {
                    var n = itemRows[m];
                    e[n] -= shift * (weights is null ? 1 : weights[weightsAt + users[n]]);
                }
            }
        }

        private void SampleHyperParameters()
        {
            DrawHyper(userBiasPrior, userBias, 0, byUser);
            DrawHyper(itemBiasPrior, itemBias, 0, byItem);
            DrawHyper(dayBiasPrior, dayBias, 0, byUserDay);
            DrawHyper(implicitWeightPrior, implicitWeight, 0, byUser);
            if (featureCount > 0)
            {
                DrawHyper(featureWeightPrior, featureWeight, 0, byFeature);
            }
            for (var f = 0; f < k; f++)
            {
                DrawHyper(pPrior[f], p, f * userCount, byUser);
                DrawHyper(tPrior[f], t, f * userCount, byUser);
                DrawHyper(qPrior[f], q, f * itemCount, byItem);
                if (featureCount > 0)
                {
                    DrawHyper(sPrior[f], s, f * featureCount, byFeature);
                }
            }
        }

        /// <summary>
        /// The Normal-Gamma conditionals of a group's prior (libFM's), over the rows that have
        /// ratings: the precision given the current mean, then the mean given the new precision.
        /// </summary>
        private void DrawHyper(Hyper prior, double[] values, int offset, Groups groups)
        {
            var (n, sum, squares) = (0, 0.0, 0.0);
            for (var x = 0; x < groups.Count; x++)
            {
                if (groups.Size(x) > 0)
                {
                    var value = values[offset + x];
                    n++;
                    sum += value;
                    squares += (value - prior.Mean) * (value - prior.Mean);
                }
            }
            var rate = (HyperRate + squares + HyperMeanWeight * prior.Mean * prior.Mean) / 2;
            prior.Precision = Gamma.Sample(random, (HyperShape + n + 1) / 2, rate);
            prior.Mean = Normal.Sample(random, sum / (n + HyperMeanWeight), 1 / Math.Sqrt((n + HyperMeanWeight) * prior.Precision));
        }

        private void SampleNoise()
        {
            var squares = 0.0;
            foreach (var e in residual)
            {
                squares += e * e;
            }
            alpha = Gamma.Sample(random, (HyperShape + rowCount) / 2, (HyperRate + squares) / 2);
        }

        private PosteriorSample Snapshot()
        {
            var userTerm = new float[userCount];
            var userVector = new float[userCount * k];
            for (var u = 0; u < userCount; u++)
            {
                if (byUser.Size(u) > 0)
                {
                    userTerm[u] = (float)userBias[u];
                    Gather(p, userCount, u, userVector.AsSpan(u * k, k));
                }
            }
            var itemTerm = new float[itemCount];
            var itemVector = new float[itemCount * k];
            for (var i = 0; i < itemCount; i++)
            {
                if (byItem.Size(i) > 0)
                {
                    itemTerm[i] = (float)(itemBias[i] + itemLinear[i]);
                    Gather(b, itemCount, i, itemVector.AsSpan(i * k, k));
                }
            }
            var prior = new UserPrior(
                (float)userBiasPrior.Mean, (float)userBiasPrior.Precision,
                [.. pPrior.Select(h => (float)h.Mean)], [.. pPrior.Select(h => (float)h.Precision)],
                userDays.Length == 0 ? 0f : (float)dayBiasPrior.Mean, userDays.Length == 0 ? float.PositiveInfinity : (float)dayBiasPrior.Precision, (float)alpha);
            return new PosteriorSample((float)w0, itemTerm, itemVector, prior, userTerm, userVector, userDays, [.. dayBias.Select(d => (float)d)]);
        }

        /// <summary>Each rating's (user, day) group; none when the ratings carry no days.</summary>
        private static (int[] GroupOfRow, (int User, int Day)[] Groups) DayGroups(int[]? days, int[] rowUser)
        {
            if (days is null)
            {
                return ([], []);
            }
            var index = new Dictionary<(int User, int Day), int>();
            var groupOfRow = new int[days.Length];
            for (var n = 0; n < days.Length; n++)
            {
                var key = (rowUser[n], days[n]);
                if (!index.TryGetValue(key, out var group))
                {
                    index[key] = group = index.Count;
                }
                groupOfRow[n] = group;
            }
            var groups = new (int, int)[index.Count];
            foreach (var (key, group) in index)
            {
                groups[group] = key;
            }
            return (groupOfRow, groups);
        }

        /// <summary>
        /// The films of each feature (as groups), and per film its features and |G(i)|^-½; no groups
        /// without features. Features of films outside the ratings' index space are ignored.
        /// </summary>
        private (Groups ByFeature, int[] FeatureFilms, double[] Scale) FeatureGroups(FilmFeatures? features, int items)
        {
            var scale = new double[items];
            var pairs = new List<(int Film, int Feature)>();
            for (var i = 0; features is not null && i < Math.Min(items, features.OfFilm.Count); i++)
            {
                var ofFilm = features.OfFilm[i].Distinct().ToArray();
                pairs.AddRange(ofFilm.Select(g => (i, g)));
                scale[i] = ofFilm.Length == 0 ? 0 : 1 / Math.Sqrt(ofFilm.Length);
            }
            filmFeatureStart = new int[items + 1];
            foreach (var (film, _) in pairs)
            {
                filmFeatureStart[film + 1]++;
            }
            for (var i = 0; i < items; i++)
            {
                filmFeatureStart[i + 1] += filmFeatureStart[i];
            }
            filmFeatures = [.. pairs.Select(pair => pair.Feature)];   // pairs are in film order
            var count = pairs.Count == 0 ? 0 : pairs.Max(pair => pair.Feature) + 1;
            var byFeature = Group(count, filmFeatures);
            return (byFeature, [.. byFeature.Rows.Select(m => pairs[m].Film)], scale);
        }

        /// <summary>The rows of each group, given each row's group.</summary>
        private static Groups Group(int groupCount, int[] groupOfRow)
        {
            var start = new int[groupCount + 1];
            foreach (var g in groupOfRow)
            {
                start[g + 1]++;
            }
            for (var g = 0; g < groupCount; g++)
            {
                start[g + 1] += start[g];
            }
            var next = start[..^1];
            var rows = new int[groupOfRow.Length];
            for (var n = 0; n < groupOfRow.Length; n++)
            {
                rows[next[groupOfRow[n]]++] = n;
            }
            return new Groups(start, rows);
        }

        private double[] RandomNormal(int length)
        {
            var values = new double[length];
            for (var x = 0; x < length; x++)
            {
                values[x] = Normal.Sample(random, 0, options.InitStdDev);
            }
            return values;
        }

        private Hyper[] Priors() => [.. Enumerable.Range(0, k).Select(_ => new Hyper())];

        /// <summary>Row <paramref name="row"/> of a factor-major array.</summary>
        private static void Gather(double[] values, int count, int row, Span<float> into)
        {
            for (var f = 0; f < into.Length; f++)
            {
                into[f] = (float)values[f * count + row];
            }
        }
    }
}
