namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>Settings under <c>Recommendations</c>.</summary>
public sealed class RecommendationOptions
{
    public const string Section = "Recommendations";

    /// <summary>How often the model is retrained from all ratings; the first training also runs at start when none is stored.</summary>
    public TimeSpan TrainEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a replica looks for a model trained by another replica.</summary>
    public TimeSpan CheckForNewerModelEvery { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a replica keeps its copy of the film list that recommendations rank.</summary>
    public TimeSpan FilmListLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Stored models kept besides the newest, for inspection.</summary>
    public int KeepModels { get; set; } = 2;
}
