namespace Matcha.Recommendations.Model;

/// <summary>The mean of all ratings for everyone: the floor every other model must beat.</summary>
public sealed class GlobalMean(float mean) : IRatingModel
{
    public float Mean { get; } = mean;

    public static GlobalMean Fit(RatingSet ratings) => new(ratings.Mean);

    public float Predict(int user, int item) => RatingScale.Clip(Mean);
}
