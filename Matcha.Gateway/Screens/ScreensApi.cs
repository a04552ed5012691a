using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Matcha.Gateway.Screens;

/// <summary>
/// One document per screen of the web app, read from the services in parallel. A service that
/// fails, is slow or has an open circuit leaves its parts null and is named in
/// <c>unavailable</c> (with the reason in <c>reasons</c>); the screen still answers, within the
/// services' deadlines. A signed-in caller's document is personal: <c>Cache-Control: private, no-store</c>.
/// </summary>
internal static class ScreensApi
{
    private static readonly string[] RankingKinds = ["top-rated", "most-wished", "trending"];

    public static WebApplication MapScreensApi(this WebApplication app)
    {
        var screens = app.MapGroup("/api/screens").WithTags("Screens").AddEndpointFilter(NeverSharedWhenPersonal);
        screens.MapGet("/home", Home).AllowAnonymous();
        screens.MapGet("/movie/{id:int}", Movie).AllowAnonymous();
        screens.MapGet("/person/{id:int}", Person).AllowAnonymous();
        screens.MapGet("/me", Me);   // closed by the fallback policy: signed-in callers only
        return app;
    }

    private static async ValueTask<object?> NeverSharedWhenPersonal(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers.CacheControl = IsSignedIn(http.User) ? "private, no-store" : "public, max-age=5";
        http.Response.Headers.Vary = "Authorization";
        return await next(context);
    }

    private static async Task<Ok<HomeScreen>> Home(ClaimsPrincipal user, ServiceReader reader, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var signedIn = IsSignedIn(user);
        var rankings = RankingKinds.Select(kind => reader.GetAsync("catalog", $"/rankings/{kind}?limit=12", user, ct)).ToArray();
        var continueRating = signedIn ? ContinueRatingAsync(user, reader, unavailable, ct) : Task.FromResult<JsonNode?>(null);
        var recommended = signedIn ? RecommendedAsync(user, reader, unavailable, ct) : Task.FromResult<JsonNode?>(null);
        await Task.WhenAll([.. rankings, continueRating, recommended]);

        var lists = new JsonObject();
        for (var i = 0; i < RankingKinds.Length; i++)
        {
            var part = rankings[i].Result;
            if (part.NotFound)
            {
                unavailable.Add("rankings", "not-found");
            }
            lists[RankingKinds[i]] = unavailable.Take(part.Failed ? "catalog" : "rankings", part);
        }
        if (signedIn)
        {
            var cards = lists.Select(list => list.Value?["items"]).Append(continueRating.Result).OfType<JsonArray>()
                .SelectMany(cardList => cardList).OfType<JsonObject>();
            await MarkMineOrPredictedAsync(cards, user, reader, unavailable, ct);
        }
        return TypedResults.Ok(new HomeScreen(recommended.Result, lists, continueRating.Result, unavailable.Names, unavailable.Reasons));
    }

    /// <summary>
    /// The caller's recommendations (Ratings) as film cards (Catalog, read in parallel; it caches
    /// each film), each with its predicted rating; null before the first model is trained.
    /// </summary>
    private static async Task<JsonNode?> RecommendedAsync(ClaimsPrincipal user, ServiceReader reader, Unavailable unavailable, CancellationToken ct)
    {
        var part = await reader.GetAsync("ratings", "/me/recommendations?limit=12", user, ct);
        if (part.NotFound)
        {
            unavailable.Add("predictions", "not-found");   // no model yet
            return null;
        }
        if (unavailable.Take("predictions", part)?["items"] is not JsonArray items)
        {
            return null;
        }
        var picks = items.OfType<JsonObject>().ToList();
        var films = await Task.WhenAll(picks.Select(pick =>
            reader.GetAsync("catalog", $"/movies/{pick["movieId"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture)}", user, ct)));
        var cards = new JsonArray();
        for (var i = 0; i < picks.Count; i++)
        {
            if (Summary(unavailable.Take("catalog", films[i])) is { } card)
            {
                card["predicted"] = picks[i]["predicted"]?.DeepClone();
                card["basis"] = picks[i]["basis"]?.DeepClone();
                cards.Add(card);
            }
        }
        return cards;
    }

    /// <summary>
    /// Marks each film card with the caller's own score (<c>myScore</c>) or, for a film they have
    /// not rated, their predicted rating (<c>predicted</c>): two batch reads from Ratings, in parallel.
    /// </summary>
    private static async Task MarkMineOrPredictedAsync(IEnumerable<JsonObject> cards, ClaimsPrincipal user, ServiceReader reader, Unavailable unavailable, CancellationToken ct)
    {
        var byId = cards.Where(card => card["id"] is not null).ToLookup(card => card["id"]!.GetValue<int>());
        if (byId.Count == 0)
        {
            return;
        }
        // Both endpoints take at most 100 ids; a screen shows fewer films than that.
        var ids = string.Join(',', byId.Select(group => group.Key).Take(100));
        var mine = reader.GetAsync("ratings", $"/me/movies?ids={ids}", user, ct);
        var predictions = reader.GetAsync("ratings", $"/me/predictions?movieIds={ids}", user, ct);
        await Task.WhenAll(mine, predictions);
        if (predictions.Result.NotFound)
        {
            unavailable.Add("predictions", "not-found");
        }
        var scores = (unavailable.Take("ratings", mine.Result)?["items"] as JsonArray ?? [])
            .Where(state => state?["score"] is not null)
            .ToDictionary(state => state!["movieId"]!.GetValue<int>(), state => state!["score"]!.GetValue<double>());
        var predicted = (unavailable.Take("predictions", predictions.Result)?["items"] as JsonArray ?? [])
            .ToDictionary(p => p!["movieId"]!.GetValue<int>(), p => p!["predicted"]!.GetValue<double>());
        foreach (var group in byId)
        {
            foreach (var card in group)
            {
                if (scores.TryGetValue(group.Key, out var score))
                {
                    card["myScore"] = score;
                }
                else if (predicted.TryGetValue(group.Key, out var guess))
                {
                    card["predicted"] = guess;
                }
            }
        }
    }

    /// <summary>Popular released films the caller has neither rated nor marked not interested.</summary>
    private static async Task<JsonNode?> ContinueRatingAsync(ClaimsPrincipal user, ServiceReader reader, Unavailable unavailable, CancellationToken ct)
    {
        var popular = unavailable.Take("catalog", await reader.GetAsync("catalog", "/movies?sort=popularity&released=true&pageSize=60", user, ct));
        if (popular?["items"] is not JsonArray films)
        {
            return null;
        }
        var ids = string.Join(',', films.Select(f => f?["id"]?.GetValue<int>()));
        var mine = unavailable.Take("ratings", await reader.GetAsync("ratings", $"/me/movies?ids={ids}", user, ct));
        if (mine?["items"] is not JsonArray states)
        {
            return null;
        }
        var done = states.Where(s => s?["score"] is not null || string.Equals(s?["wish"]?.GetValue<string>(), "notInterested", StringComparison.OrdinalIgnoreCase))
            .Select(s => s!["movieId"]!.GetValue<int>()).ToHashSet();
        return new JsonArray([.. films.Where(f => !done.Contains(f!["id"]!.GetValue<int>())).Take(12).Select(f => f!.DeepClone())]);
    }

    private static async Task<Results<Ok<MovieScreen>, NotFound>> Movie(int id, ClaimsPrincipal user, ServiceReader reader, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var signedIn = IsSignedIn(user);
        var movie = reader.GetAsync("catalog", $"/movies/{id}", user, ct);
        var mine = signedIn ? reader.GetAsync("ratings", $"/me/movies/{id}", user, ct) : null;
        var comments = signedIn ? reader.GetAsync("ratings", $"/movies/{id}/comments?sort=likes&pageSize=50", user, ct) : null;
        var prediction = signedIn ? reader.GetAsync("ratings", $"/me/predictions/{id}", user, ct) : null;
        await Task.WhenAll(new[] { movie, mine, comments, prediction }.OfType<Task<Part>>());

        if (movie.Result.NotFound)
        {
            return TypedResults.NotFound();
        }
        var me = mine is null ? null : unavailable.Take("ratings", mine.Result);
        var commentList = comments is null ? null : unavailable.Take("ratings", comments.Result);
        if (commentList?["items"] is JsonArray items && me is not null)
        {
            var liked = (me["likedCommentIds"] as JsonArray ?? []).Select(n => n!.GetValue<long>()).ToHashSet();
            var userId = user.FindFirstValue(JwtRegisteredClaimNames.Sub);
            foreach (var comment in items.OfType<JsonObject>())
            {
                comment["mine"] = string.Equals(comment["userId"]?.GetValue<string>(), userId, StringComparison.OrdinalIgnoreCase);
                comment["likedByMe"] = liked.Contains(comment["id"]!.GetValue<long>());
            }
        }
        JsonNode? predicted = null;
        if (prediction is not null)
        {
            if (prediction.Result.NotFound)
            {
                unavailable.Add("predictions", "not-found");
            }
            // A prediction that fails is the prediction missing; whether Ratings is down the other parts say.
            predicted = unavailable.Take("predictions", prediction.Result);
        }
        return TypedResults.Ok(new MovieScreen(
            unavailable.Take("catalog", movie.Result), signedIn, me, commentList?["items"], predicted, unavailable.Names, unavailable.Reasons));
    }

    private static async Task<Results<Ok<PersonScreen>, NotFound>> Person(int id, ClaimsPrincipal user, ServiceReader reader, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var person = await reader.GetAsync("catalog", $"/people/{id}", user, ct);
        if (person.NotFound)
        {
            return TypedResults.NotFound();
        }
        var found = unavailable.Take("catalog", person);
        if (IsSignedIn(user) && found?["filmography"] is JsonArray films)
        {
            await MarkMineOrPredictedAsync(films.Select(f => f?["movie"]).OfType<JsonObject>(), user, reader, unavailable, ct);
        }
        return TypedResults.Ok(new PersonScreen(found, unavailable.Names, unavailable.Reasons));
    }

    private static async Task<Ok<MyScreen>> Me(ClaimsPrincipal user, ServiceReader reader, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var ratings = reader.GetAsync("ratings", "/me/ratings?pageSize=30", user, ct);
        var wishlist = reader.GetAsync("ratings", "/me/wishlist?pageSize=30", user, ct);
        var comments = reader.GetAsync("ratings", "/me/comments?pageSize=30", user, ct);
        var taste = reader.GetAsync("ratings", "/me/taste", user, ct);
        await Task.WhenAll(ratings, wishlist, comments, taste);
        var lists = new[] { ratings.Result, wishlist.Result, comments.Result }
            .Select(part => unavailable.Take("ratings", part)?["items"] as JsonArray)
            .ToArray();

        // Each list names films by id; the films themselves come from Catalog, read in parallel (it caches each one).
        var ids = lists.OfType<JsonArray>().SelectMany(list => list.Select(item => item!["movieId"]!.GetValue<int>())).Distinct().ToList();
        var films = await Task.WhenAll(ids.Select(id => reader.GetAsync("catalog", $"/movies/{id.ToString(CultureInfo.InvariantCulture)}", user, ct)));
        var byId = new Dictionary<int, JsonNode?>();
        for (var i = 0; i < ids.Count; i++)
        {
            byId[ids[i]] = Summary(unavailable.Take("catalog", films[i]));
        }
        foreach (var item in lists.OfType<JsonArray>().SelectMany(list => list).OfType<JsonObject>())
        {
            item["movie"] = byId.GetValueOrDefault(item["movieId"]!.GetValue<int>())?.DeepClone();
        }
        return TypedResults.Ok(new MyScreen(lists[0], lists[1], lists[2], unavailable.Take("ratings", taste.Result), unavailable.Names, unavailable.Reasons));
    }

    /// <summary>What a list row needs of a film.</summary>
    private static JsonObject? Summary(JsonNode? movie) => movie is null ? null : new JsonObject
    {
        ["id"] = movie["id"]?.DeepClone(),
        ["titles"] = movie["titles"]?.DeepClone(),
        ["originalTitle"] = movie["originalTitle"]?.DeepClone(),
        ["year"] = movie["year"]?.DeepClone(),
        ["posterUrl"] = movie["posterUrl"]?.DeepClone(),
    };

    private static bool IsSignedIn(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.HasClaim(c => c.Type == JwtRegisteredClaimNames.Sub);
}

internal sealed record HomeScreen(
    JsonNode? Recommended, JsonObject Rankings, JsonNode? ContinueRating, IReadOnlyList<string> Unavailable, IReadOnlyDictionary<string, string> Reasons);

internal sealed record MovieScreen(
    JsonNode? Movie, bool SignedIn, JsonNode? Mine, JsonNode? Comments, JsonNode? Prediction,
    IReadOnlyList<string> Unavailable, IReadOnlyDictionary<string, string> Reasons);

internal sealed record PersonScreen(JsonNode? Person, IReadOnlyList<string> Unavailable, IReadOnlyDictionary<string, string> Reasons);

internal sealed record MyScreen(
    JsonNode? Ratings, JsonNode? Wishlist, JsonNode? Comments, JsonNode? Taste, IReadOnlyList<string> Unavailable, IReadOnlyDictionary<string, string> Reasons);
