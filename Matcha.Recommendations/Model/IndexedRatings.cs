namespace Matcha.Recommendations.Model;

/// <summary>A <see cref="RatingSet"/> together with the maps from external user and film ids to its dense indices.</summary>
public sealed record IndexedRatings<TUser>(RatingSet Ratings, DenseIndex<TUser> Users, DenseIndex<int> Items)
    where TUser : notnull;
