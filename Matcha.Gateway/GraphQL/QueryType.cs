using System.Security.Claims;
using GraphQL;
using GraphQL.Types;
using GraphQL.Validation.Complexity;
using Matcha.Gateway.Screens;

namespace Matcha.Gateway.GraphQL;

/// <summary>
/// The entry points: films, people, search and rankings for everyone (Catalog), and <c>me</c> for
/// a signed-in caller (Ratings). Each root field is one call to its service; the films' cards and
/// states under it are read in batches (<see cref="GraphQLReads"/>).
/// </summary>
internal sealed class QueryType : ObjectGraphType
{
    public QueryType()
    {
        Name = "Query";

        Field<FilmType>("film").Description("A film's page: its card, genres, statistics and credits.")
            .Argument<NonNullGraphType<IntGraphType>>("id")
            .ResolveAsync(async ctx => Value(ctx, "catalog", await Catalog(ctx).GetMovieAsync(ctx.GetArgument<int>("id"), User(ctx), ctx.CancellationToken)));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FilmType>>>>("films").Description("Up to 100 films' cards, in the order asked; ids of no film are left out.")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<IntGraphType>>>>("ids")
            .WithComplexityImpact(context => new FieldComplexityResult(1, Math.Max(1, context.GetArgument<object[]?>("ids", null)?.Length ?? 1)))
            .ResolveAsync(async ctx =>
            {
                var ids = ctx.GetArgument<List<int>>("ids").Distinct().ToList();
                if (ids.Count is 0 or > CatalogClient.MaxBatch || ids.Any(id => id <= 0))
                {
                    throw new ExecutionError($"ids must be 1 to {CatalogClient.MaxBatch} positive ids.") { Code = "INVALID_ARGUMENT" };
                }
                return Value(ctx, "catalog", await Catalog(ctx).GetFilmCardsAsync(ids, User(ctx), ctx.CancellationToken))?.Items ?? [];
            });

        Field<PersonType>("person").Description("A person's page: names and filmography.")
            .Argument<NonNullGraphType<IntGraphType>>("id")
            .ResolveAsync(async ctx => Value(ctx, "catalog", await Catalog(ctx).GetPersonAsync(ctx.GetArgument<int>("id"), User(ctx), ctx.CancellationToken)));

        Field<SearchResultType>("search").Description("Films and people whose titles or names match, in any language.")
            .Argument<NonNullGraphType<StringGraphType>>("query")
            .WithComplexityImpact(1, 20)
            .ResolveAsync(async ctx => Value(ctx, "catalog", await Catalog(ctx).SearchAsync(ctx.GetArgument<string>("query"), User(ctx), ctx.CancellationToken)));

        Field<ListGraphType<NonNullGraphType<FilmType>>>("ranking").Description("top-rated, most-wished or trending.")
            .Argument<NonNullGraphType<StringGraphType>>("kind")
            .Argument<IntGraphType>("limit", a => a.DefaultValue = 12)
            .WithComplexityImpact(context => new FieldComplexityResult(1, context.GetArgument("limit", 12)))
            .ResolveAsync(async ctx => Value(ctx, "catalog",
                await Catalog(ctx).GetRankingAsync(ctx.GetArgument<string>("kind"), Math.Clamp(ctx.GetArgument("limit", 12), 1, 100), User(ctx), ctx.CancellationToken))?.Items);

        Field<MeType>("me").Description("Signed in only: my lists and my taste.")
            .Argument<IntGraphType>("rows", a => a.DefaultValue = 30)
            .WithMetadata(SignedInOnlyRule.Key, true)
            .WithComplexityImpact(context => new FieldComplexityResult(1, context.GetArgument("rows", 30)))
            .ResolveAsync(async ctx => Value(ctx, "ratings",
                await ctx.RequestServices!.GetRequiredService<RatingsClient>().GetMyOverviewAsync(Math.Clamp(ctx.GetArgument("rows", 30), 1, 30), User(ctx), ctx.CancellationToken)));
    }

    private static CatalogClient Catalog(IResolveFieldContext context) => context.RequestServices!.GetRequiredService<CatalogClient>();

    private static ClaimsPrincipal User(IResolveFieldContext context) => context.User ?? new ClaimsPrincipal();

    /// <summary>The part's value; a failed part leaves the field null and names its service once in the errors.</summary>
    private static T? Value<T>(IResolveFieldContext context, string service, Part<T> part) where T : class
    {
        if (part.Failed)
        {
            ServiceErrors.Report(context, service, part.FailureReason!);
        }
        return part.Value;
    }
}

internal sealed class MatchaSchema : Schema
{
    public MatchaSchema(IServiceProvider services, QueryType query) : base(services)
    {
        Query = query;
    }
}
