using System.Text.Json;
using GraphQL.Types;
using Matcha.Gateway.Screens;

namespace Matcha.Gateway.GraphQL;

/// <summary>My page (signed in only): my ratings, wishlist and comments, each row with its film, and my taste.</summary>
internal sealed class MeType : ObjectGraphType<MyOverview>
{
    public MeType()
    {
        Name = "Me";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MyRowType>>>>("ratings").Resolve(ctx => ctx.Source.Ratings.Items);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MyRowType>>>>("wishlist").Resolve(ctx => ctx.Source.Wishlist.Items);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MyRowType>>>>("comments").Resolve(ctx => ctx.Source.Comments.Items);
        Field<TasteType>("taste").Resolve(ctx => JsonSerializer.SerializeToElement(ctx.Source.Taste));
    }
}

/// <summary>A row of one of my lists: the film it names (its card, read with every other row's in one call) and what I did.</summary>
internal sealed class MyRowType : ObjectGraphType<MyListItem>
{
    public MyRowType()
    {
        Name = "MyRow";
        Field<NonNullGraphType<IntGraphType>>("movieId").Resolve(ctx => ctx.Source.MovieId);
        Field<FilmType>("film").Resolve(ctx => ctx.RequestServices!.GetRequiredService<GraphQLReads>().FilmCards.Load(ctx.Source.MovieId, ctx));
        Field<FloatGraphType>("score").Description("On a rating.").Resolve(ctx => Number(ctx.Source, "score"));
        Field<StringGraphType>("state").Description("On a wish: wantToWatch, watching or notInterested.").Resolve(ctx => Text(ctx.Source, "state"));
        Field<StringGraphType>("text").Description("On a comment.").Resolve(ctx => Text(ctx.Source, "text"));
        Field<StringGraphType>("updatedAt").Resolve(ctx => Text(ctx.Source, "updatedAt"));
    }

    private static double? Number(MyListItem row, string name) =>
        row.More?.TryGetValue(name, out var value) == true && value.ValueKind is JsonValueKind.Number ? value.GetDouble() : null;

    private static string? Text(MyListItem row, string name) =>
        row.More?.TryGetValue(name, out var value) == true && value.ValueKind is JsonValueKind.String ? value.GetString() : null;
}

/// <summary>My taste as Ratings analyses it: how much and how I rate, and the genres I rate highest.</summary>
internal sealed class TasteType : ObjectGraphType<JsonElement>
{
    public TasteType()
    {
        Name = "Taste";
        Field<NonNullGraphType<IntGraphType>>("ratingCount").Resolve(ctx => (int)(FilmStatsType.Number(ctx.Source, "ratingCount") ?? 0));
        Field<FloatGraphType>("myAverage").Resolve(ctx => FilmStatsType.Number(ctx.Source, "myAverage"));
        Field<FloatGraphType>("everyonesAverage").Resolve(ctx => FilmStatsType.Number(ctx.Source, "everyonesAverage"));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TasteItemType>>>>("genres")
            .Resolve(ctx => ctx.Source.TryGetProperty("genres", out var genres) && genres.ValueKind is JsonValueKind.Array ? genres.EnumerateArray().ToList() : []);
    }
}

internal sealed class TasteItemType : ObjectGraphType<JsonElement>
{
    public TasteItemType()
    {
        Name = "TasteItem";
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(ctx => FilmStatsType.Text(ctx.Source, "name"));
        Field<NonNullGraphType<IntGraphType>>("count").Resolve(ctx => (int)(FilmStatsType.Number(ctx.Source, "count") ?? 0));
        Field<NonNullGraphType<FloatGraphType>>("average").Resolve(ctx => FilmStatsType.Number(ctx.Source, "average") ?? 0);
    }
}
