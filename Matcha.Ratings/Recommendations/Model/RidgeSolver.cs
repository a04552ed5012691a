namespace Matcha.Ratings.Recommendations.Model;

/// <summary>Solves (AᵀA + λI)x = Aᵀb for a small dense system by Cholesky decomposition.</summary>
internal static class RidgeSolver
{
    /// <param name="rows">the rows of A, each of length k</param>
    public static float[] Solve(IReadOnlyList<float[]> rows, IReadOnlyList<float> targets, int k, double lambda)
    {
        var a = new double[k, k];
        var b = new double[k];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            for (var i = 0; i < k; i++)
            {
                b[i] += row[i] * targets[r];
                for (var j = 0; j <= i; j++)
                {
                    a[i, j] += row[i] * row[j];
                }
            }
        }
        for (var i = 0; i < k; i++)
        {
            a[i, i] += lambda;
        }

        // Lower-triangular L with LLᵀ = A, written over A's lower half; λ > 0 keeps A positive definite.
        for (var j = 0; j < k; j++)
        {
            var diagonal = a[j, j];
            for (var m = 0; m < j; m++)
            {
                diagonal -= a[j, m] * a[j, m];
            }
            a[j, j] = Math.Sqrt(Math.Max(diagonal, 1e-12));
            for (var i = j + 1; i < k; i++)
            {
                var sum = a[i, j];
                for (var m = 0; m < j; m++)
                {
                    sum -= a[i, m] * a[j, m];
                }
                a[i, j] = sum / a[j, j];
            }
        }
        for (var i = 0; i < k; i++)
        {
            for (var m = 0; m < i; m++)
            {
                b[i] -= a[i, m] * b[m];
            }
            b[i] /= a[i, i];
        }
        for (var i = k - 1; i >= 0; i--)
        {
            for (var m = i + 1; m < k; m++)
            {
                b[i] -= a[m, i] * b[m];
            }
            b[i] /= a[i, i];
        }
        return [.. b.Select(x => (float)x)];
    }
}
