using System.Numerics;

namespace Matcha.Recommendations.Model;

/// <summary>Numeric pieces shared by the SGD trainers and fold-in.</summary>
internal static class Sgd
{
    public static float[] Normal(Random random, int length, float stdDev)
    {
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            // Box–Muller; 1 - NextDouble() keeps the logarithm away from zero.
            var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
            values[i] = (float)(stdDev * radius * Math.Cos(2.0 * Math.PI * random.NextDouble()));
        }
        return values;
    }

    public static void Shuffle(Random random, int[] order)
    {
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0f;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<float>.Zero;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
            }
            sum = Vector.Sum(acc);
        }
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /// <summary>Zeroes the rows of parameters that no training rating touched, so they add nothing to a prediction.</summary>
    public static void ClearUntrained(float[] rows, int width, Func<int, bool> trained)
    {
        for (var row = 0; row * width < rows.Length; row++)
        {
            if (!trained(row))
            {
                Array.Clear(rows, row * width, width);
            }
        }
    }
}
