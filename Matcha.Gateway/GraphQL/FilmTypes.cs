using System.Text.Json;
using GraphQL;
using GraphQL.Types;
using Matcha.Gateway.Screens;

namespace Matcha.Gateway.GraphQL;

/// <summary>A text in one language: a title, a name.</summary>
internal sealed class LocalizedTextType : ObjectGraphType<KeyValuePair<string, string>>
{
    public LocalizedTextType()
    {
        Name = "LocalizedText";
        Field<NonNullGraphType<StringGraphType>>("language").Resolve(ctx => ctx.Source.Key);
        Field<NonNullGraphType<StringGraphType>>("text").Resolve(ctx => ctx.Source.Value);
    }

    public static IEnumerable<KeyValuePair<string, string>> Of(IReadOnlyDictionary<string, string>? texts) =>
        (texts ?? new Dictionary<string, string>()).OrderBy(pair => pair.Key, StringComparer.Ordinal);
}

/// <summary>
/// A film: its card from Catalog (a film's page adds genres, statistics and credits), and for a
/// signed-in caller their own state and predicted rating, read for every film of the query in
/// one call to Ratings.
/// </summary>
internal sealed class FilmType : ObjectGraphType<Film>
{
    public FilmType()
    {
        Name = "Film";
        Field<NonNullGraphType<IntGraphType>>("id").Resolve(ctx => ctx.Source.Id);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LocalizedTextType>>>>("titles").Resolve(ctx => LocalizedTextType.Of(ctx.Source.Titles));
        Field<StringGraphType>("title").Description("The title in one language (default English), else the original title.")
            .Argument<StringGraphType>("language", a => a.DefaultValue = "en")
            .Resolve(ctx => ctx.Source.Titles?.GetValueOrDefault(ctx.GetArgument<string>("language")) ?? ctx.Source.OriginalTitle);
        Field<StringGraphType>("originalTitle").Resolve(ctx => ctx.Source.OriginalTitle);
        Field<IntGraphType>("year").Resolve(ctx => ctx.Source.Year);
        Field<StringGraphType>("posterUrl").Resolve(ctx => ctx.Source.PosterUrl);
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("genres").Description("On a film's page and in search results; null on a card.")
            .Resolve(ctx => More(ctx.Source, "genres")?.Deserialize<string[]>());
        Field<FilmStatsType>("stats").Description("On a film's page and in search results; null on a card.")
            .Resolve(ctx => More(ctx.Source, "stats"));
        Field<ListGraphType<NonNullGraphType<CreditType>>>("credits").Description("On a film's page only.")
            .Resolve(ctx => More(ctx.Source, "credits")?.EnumerateArray().ToList());
        Field<FilmStateType>("mine").Description("Signed in only: my score, wish and predicted rating for this film.")
            .WithMetadata(SignedInOnlyRule.Key, true)
            .Resolve(ctx => ctx.RequestServices!.GetRequiredService<GraphQLReads>().FilmStates.Load(ctx.Source.Id, ctx));
    }

    private static JsonElement? More(Film film, string name) =>
        film.More?.TryGetValue(name, out var value) == true && value.ValueKind is not JsonValueKind.Null ? value : null;
}

/// <summary>Rating statistics as Catalog keeps them.</summary>
internal sealed class FilmStatsType : ObjectGraphType<JsonElement>
{
    public FilmStatsType()
    {
        Name = "FilmStats";
        Field<FloatGraphType>("average").Resolve(ctx => Number(ctx.Source, "average"));
        Field<NonNullGraphType<IntGraphType>>("count").Resolve(ctx => (int)(Number(ctx.Source, "count") ?? 0));
        Field<NonNullGraphType<IntGraphType>>("wishes").Resolve(ctx => (int)(Number(ctx.Source, "wishes") ?? 0));
        Field<NonNullGraphType<IntGraphType>>("comments").Resolve(ctx => (int)(Number(ctx.Source, "comments") ?? 0));
    }

    internal static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.Number ? value.GetDouble() : null;

    internal static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.String ? value.GetString() : null;
}

/// <summary>Someone's part in a film.</summary>
internal sealed class CreditType : ObjectGraphType<JsonElement>
{
    public CreditType()
    {
        Name = "Credit";
        Field<NonNullGraphType<IntGraphType>>("personId").Resolve(ctx => (int)(FilmStatsType.Number(ctx.Source, "personId") ?? 0));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LocalizedTextType>>>>("names")
            .Resolve(ctx => LocalizedTextType.Of(ctx.Source.TryGetProperty("names", out var names) ? names.Deserialize<Dictionary<string, string>>() : null));
        Field<NonNullGraphType<StringGraphType>>("role").Resolve(ctx => FilmStatsType.Text(ctx.Source, "role"));
        Field<StringGraphType>("character").Resolve(ctx => FilmStatsType.Text(ctx.Source, "character"));
    }
}

/// <summary>My state for a film, from Ratings: my score, my wish, and the rating predicted for me.</summary>
internal sealed class FilmStateType : ObjectGraphType<MyFilmState>
{
    public FilmStateType()
    {
        Name = "FilmState";
        Field<FloatGraphType>("score").Resolve(ctx => ctx.Source.Score);
        Field<StringGraphType>("wish").Resolve(ctx => ctx.Source.Wish);
        Field<FloatGraphType>("predicted").Resolve(ctx => ctx.Source.Predicted);
        Field<StringGraphType>("basis").Description("personal, or a fallback when the model knows too little of me or of the film.").Resolve(ctx => ctx.Source.Basis);
        Field<IntGraphType>("ratingCount").Description("How many of my ratings the prediction rests on.").Resolve(ctx => ctx.Source.RatingCount);
    }
}
